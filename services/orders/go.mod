module github.com/ariesone/ariesone/services/orders

go 1.26.8
