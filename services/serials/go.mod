module github.com/ariesone/ariesone/services/serials

go 1.26.8
