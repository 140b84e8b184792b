module github.com/ariesone/ariesone/services/company

go 1.26.8
