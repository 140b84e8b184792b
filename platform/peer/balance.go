package peer

import (
	"encoding/json"
	"strings"
	"sync"

	"google.golang.org/genproto/googleapis/api/annotations"
	"google.golang.org/grpc"
	"google.golang.org/grpc/resolver"
	"google.golang.org/grpc/resolver/manual"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
)

// Replicas of a service are reached in one of two ways: a DNS name that
// resolves to every pod (a headless Kubernetes service), or a list of
// addresses ("127.0.0.1:8084,127.0.0.1:9084"), as several replicas on one
// machine are. Either way calls are spread round robin over the addresses,
// and a read (a method bound to HTTP GET, which changes nothing) that a
// replica answers UNAVAILABLE, as one does while it stops, is tried again
// on another. Writes are not retried here: a write that may have been
// applied is retried by its caller with the same request id.

// staticScheme is the resolver scheme of a list of addresses.
const staticScheme = "ariesone-replicas"

// Target returns the gRPC target of addr, one host:port or several joined
// by commas, and the dial option that resolves it.
func Target(addr string) (string, []grpc.DialOption) {
	addrs := strings.Split(addr, ",")
	if len(addrs) == 1 {
		return strings.TrimSpace(addr), nil
	}
	r := manual.NewBuilderWithScheme(staticScheme)
	state := resolver.State{}
	for _, a := range addrs {
		state.Addresses = append(state.Addresses, resolver.Address{Addr: strings.TrimSpace(a)})
	}
	r.InitialState(state)
	return staticScheme + ":///replicas", []grpc.DialOption{grpc.WithResolvers(r)}
}

// Retry policy of reads: a replica that is stopping is given up on fast.
const (
	readAttempts = 3
	readBackoff  = "0.05s"
	readMaxWait  = "0.5s"
)

var (
	serviceConfigOnce sync.Once
	serviceConfigJSON string
)

// ServiceConfig is the client service config of every AriesOne client:
// round robin over the replicas, and reads retried on UNAVAILABLE. The
// reads are found in the API's descriptors linked into the binary: every
// method bound to HTTP GET.
func ServiceConfig() string {
	serviceConfigOnce.Do(func() { serviceConfigJSON = buildServiceConfig(protoregistry.GlobalFiles) })
	return serviceConfigJSON
}

type methodName struct {
	Service string `json:"service"`
	Method  string `json:"method"`
}

func buildServiceConfig(files *protoregistry.Files) string {
	var reads []methodName
	files.RangeFiles(func(fd protoreflect.FileDescriptor) bool {
		services := fd.Services()
		for i := range services.Len() {
			sd := services.Get(i)
			methods := sd.Methods()
			for j := range methods.Len() {
				if md := methods.Get(j); isRead(md) {
					reads = append(reads, methodName{Service: string(sd.FullName()), Method: string(md.Name())})
				}
			}
		}
		return true
	})
	cfg := map[string]any{"loadBalancingConfig": []any{map[string]any{"round_robin": map[string]any{}}}}
	if len(reads) > 0 {
		cfg["methodConfig"] = []any{map[string]any{
			"name": reads,
			"retryPolicy": map[string]any{
				"maxAttempts": readAttempts, "initialBackoff": readBackoff, "maxBackoff": readMaxWait,
				"backoffMultiplier": 2, "retryableStatusCodes": []string{"UNAVAILABLE"},
			},
		}}
	}
	b, _ := json.Marshal(cfg) // plain maps and strings
	return string(b)
}

// isRead reports whether md is bound to HTTP GET, the API's mark of a
// method that changes nothing, and is not a stream.
func isRead(md protoreflect.MethodDescriptor) bool {
	if md.IsStreamingClient() || md.IsStreamingServer() {
		return false
	}
	opts := md.Options()
	if opts == nil || !proto.HasExtension(opts, annotations.E_Http) {
		return false
	}
	rule, _ := proto.GetExtension(opts, annotations.E_Http).(*annotations.HttpRule)
	return rule.GetGet() != ""
}
