module github.com/ariesone/ariesone/services/clinical

go 1.26.8
