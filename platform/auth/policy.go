package auth

import (
	"fmt"
	"sort"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	authv1 "github.com/ariesone/ariesone/gen/go/ariesone/auth/v1"
)

// Rule is the access rule of one method, as declared by the
// (ariesone.auth.v1.rule) method option.
type Rule struct {
	Permission string
	Public     bool
	RateClass  string
	// DisclosesPHI marks a method whose answer's audit record must be
	// durable before the answer leaves.
	DisclosesPHI bool
	// PeopleOnly refuses the method to API keys and services, whatever
	// their roles.
	PeopleOnly bool
}

// systemRules are the rules of services AriesOne registers but does not
// define in its own protos: health checks must work without credentials
// (Kubernetes probes carry none); reflection only describes the public API.
var systemRules = map[string]Rule{
	"grpc.health.v1.Health":                    {Public: true, RateClass: "public"},
	"grpc.reflection.v1.ServerReflection":      {Public: true, RateClass: "public"},
	"grpc.reflection.v1alpha.ServerReflection": {Public: true, RateClass: "public"},
}

// Policy holds the rule of every method a server exposes. It is built once,
// after services are registered and before the server starts serving.
type Policy struct {
	rules   map[string]Rule
	unruled []string
}

// PolicyFor reads the rules of every method registered on s from the proto
// descriptors in the global registry.
func PolicyFor(s *grpc.Server) (*Policy, error) {
	p := &Policy{rules: make(map[string]Rule)}
	for service := range s.GetServiceInfo() {
		if err := p.addService(service); err != nil {
			return nil, err
		}
	}
	sort.Strings(p.unruled)
	return p, nil
}

func (p *Policy) addService(service string) error {
	d, err := protoregistry.GlobalFiles.FindDescriptorByName(protoreflect.FullName(service))
	if err != nil {
		return fmt.Errorf("auth: service %s is not in the proto registry: %w", service, err)
	}
	sd, ok := d.(protoreflect.ServiceDescriptor)
	if !ok {
		return fmt.Errorf("auth: %s is not a service", service)
	}
	system, isSystem := systemRules[service]
	methods := sd.Methods()
	for i := 0; i < methods.Len(); i++ {
		m := methods.Get(i)
		name := fullMethod(service, m)
		if isSystem {
			p.rules[name] = system
			continue
		}
		r, ok := ruleOf(m)
		if !ok {
			p.unruled = append(p.unruled, name)
			continue
		}
		if r.RateClass == "" {
			r.RateClass = defaultRateClass(string(m.Name()), r.Public)
		}
		p.rules[name] = r
	}
	return nil
}

func ruleOf(m protoreflect.MethodDescriptor) (Rule, bool) {
	opts := m.Options()
	if opts == nil || !proto.HasExtension(opts, authv1.E_Rule) {
		return Rule{}, false
	}
	r, _ := proto.GetExtension(opts, authv1.E_Rule).(*authv1.Rule)
	if r == nil || (!r.GetPublic() && r.GetPermission() == "") {
		return Rule{}, false
	}
	return Rule{Permission: r.GetPermission(), Public: r.GetPublic(), RateClass: r.GetRateClass(),
		DisclosesPHI: r.GetDisclosesPhi(), PeopleOnly: r.GetPeopleOnly()}, true
}

func fullMethod(service string, m protoreflect.MethodDescriptor) string {
	return "/" + service + "/" + string(m.Name())
}

// defaultRateClass derives a method's rate class from its AIP verb.
func defaultRateClass(method string, public bool) string {
	if public {
		return "public"
	}
	for _, verb := range []string{"Get", "List", "Watch", "Verify", "Validate", "Check", "Search", "BatchGet"} {
		if strings.HasPrefix(method, verb) {
			return "read"
		}
	}
	return "write"
}

// Rule returns the rule of fullMethod ("/pkg.Service/Method"); ok is false
// for a method without one, which must be denied.
func (p *Policy) Rule(fullMethod string) (Rule, bool) {
	r, ok := p.rules[fullMethod]
	return r, ok
}

// Unruled lists methods registered without a rule. A service test asserts it
// is empty; at run time those methods are denied to everyone.
func (p *Policy) Unruled() []string { return append([]string(nil), p.unruled...) }
