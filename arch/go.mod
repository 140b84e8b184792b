module github.com/ariesone/ariesone/arch

go 1.26.8
