module github.com/ariesone/ariesone/gateway

go 1.26.8

require (
	github.com/ariesone/ariesone/gen/go v0.0.0
	github.com/ariesone/ariesone/platform v0.0.0
)

replace github.com/ariesone/ariesone/platform => ../platform

replace github.com/ariesone/ariesone/gen/go => ../gen/go
