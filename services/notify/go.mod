module github.com/ariesone/ariesone/services/notify

go 1.26.8
