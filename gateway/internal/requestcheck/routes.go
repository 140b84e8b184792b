package requestcheck

import (
	"fmt"
	"net/http"
	"regexp"

	"google.golang.org/genproto/googleapis/api/annotations"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// route is what the checker needs to know about one HTTP binding.
type route struct {
	// input is the request message of the method.
	input protoreflect.MessageDescriptor
	// body is the HttpRule body: "" (no body), "*" (the whole request) or
	// the name of the request field the body fills.
	body string
}

// routeKey names a binding the way the mux identifies a matched route: the
// HTTP method and runtime.Pattern's String form of the path template.
func routeKey(method, pattern string) string { return method + " " + pattern }

// bareVariable matches a path variable without an explicit segment pattern,
// "{id}", which runtime.Pattern prints as "{id=*}".
var bareVariable = regexp.MustCompile(`\{([^{}=]+)\}`)

// patternString converts an HttpRule path template to runtime.Pattern's
// String form, the key the middleware looks routes up by.
func patternString(template string) string {
	return bareVariable.ReplaceAllString(template, "{$1=*}")
}

// routesOf returns the HTTP bindings of every method of services, keyed by
// routeKey.
func routesOf(services []protoreflect.ServiceDescriptor) (map[string]route, error) {
	routes := map[string]route{}
	for _, sd := range services {
		methods := sd.Methods()
		for i := range methods.Len() {
			m := methods.Get(i)
			rule, ok := proto.GetExtension(m.Options(), annotations.E_Http).(*annotations.HttpRule)
			if !ok || rule == nil {
				continue
			}
			for _, b := range append([]*annotations.HttpRule{rule}, rule.GetAdditionalBindings()...) {
				method, template := binding(b)
				if template == "" {
					continue
				}
				r := route{input: m.Input(), body: b.GetBody()}
				if r.body != "" && r.body != "*" && r.input.Fields().ByName(protoreflect.Name(r.body)) == nil {
					return nil, fmt.Errorf("requestcheck: %s: body field %q is not in %s", m.FullName(), r.body, r.input.FullName())
				}
				routes[routeKey(method, patternString(template))] = r
			}
		}
	}
	return routes, nil
}

func binding(b *annotations.HttpRule) (method, template string) {
	switch p := b.GetPattern().(type) {
	case *annotations.HttpRule_Get:
		return http.MethodGet, p.Get
	case *annotations.HttpRule_Post:
		return http.MethodPost, p.Post
	case *annotations.HttpRule_Put:
		return http.MethodPut, p.Put
	case *annotations.HttpRule_Patch:
		return http.MethodPatch, p.Patch
	case *annotations.HttpRule_Delete:
		return http.MethodDelete, p.Delete
	case *annotations.HttpRule_Custom:
		return p.Custom.GetKind(), p.Custom.GetPath()
	}
	return "", ""
}

// StreamingPaths returns the path templates ("/api/v1/events:watch") of the
// GET bindings of server-streaming methods of services. The edge gives these
// routes no request deadline and no write timeout: a stream lasts until the
// client hangs up.
func StreamingPaths(services []protoreflect.ServiceDescriptor) []string {
	var out []string
	for _, sd := range services {
		methods := sd.Methods()
		for i := range methods.Len() {
			m := methods.Get(i)
			if !m.IsStreamingServer() {
				continue
			}
			rule, ok := proto.GetExtension(m.Options(), annotations.E_Http).(*annotations.HttpRule)
			if !ok || rule == nil {
				continue
			}
			for _, b := range append([]*annotations.HttpRule{rule}, rule.GetAdditionalBindings()...) {
				if method, template := binding(b); method == http.MethodGet && template != "" {
					out = append(out, template)
				}
			}
		}
	}
	return out
}
