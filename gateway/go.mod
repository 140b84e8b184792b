module github.com/ariesone/ariesone/gateway

go 1.26.8
