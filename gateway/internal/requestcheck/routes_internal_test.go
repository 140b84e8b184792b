package requestcheck

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/genproto/googleapis/api/annotations"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/ariesone/ariesone/gateway/internal/backends"
)

// TestEveryBindingIsChecked proves that every HTTP binding of the served
// services is recognised by the checker when the real mux routes a request
// to it: the table is keyed by runtime.Pattern's String form, and this test
// fails if that form and the checker's reading of the templates drift apart.
// Every backend's bindings share one mux, as in the gateway, so a binding
// that another service's shadows fails here too.
func TestEveryBindingIsChecked(t *testing.T) {
	var specs []backends.Spec
	var services []protoreflect.ServiceDescriptor
	for _, spec := range backends.All {
		if spec.Register != nil {
			specs = append(specs, spec)
			services = append(services, spec.Services...)
		}
	}
	checker, err := New(services...)
	if err != nil {
		t.Fatal(err)
	}
	var unknown []string
	var routed string
	probe := func(next runtime.HandlerFunc) runtime.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request, _ map[string]string) {
			p, _ := runtime.HTTPPattern(r.Context())
			routed = r.Method + " " + p.String()
			if !checker.Knows(r.Method, p.String()) {
				unknown = append(unknown, routed)
			}
			w.WriteHeader(http.StatusNoContent)
		}
	}
	mux := runtime.NewServeMux(runtime.WithMiddlewares(probe))
	conn, err := grpc.NewClient("127.0.0.1:1", grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, spec := range specs {
		if err := spec.Register(t.Context(), mux, conn); err != nil {
			t.Fatalf("%s: %v", spec.Name, err)
		}
	}
	variable := regexp.MustCompile(`\{[^}]+\}`)
	bindings := map[string]int{}
	for _, spec := range specs {
		for _, sd := range spec.Services {
			for i := range sd.Methods().Len() {
				m := sd.Methods().Get(i)
				rule, _ := proto.GetExtension(m.Options(), annotations.E_Http).(*annotations.HttpRule)
				method, template := binding(rule)
				if template == "" {
					continue
				}
				bindings[spec.Name]++
				want := method + " " + patternString(template)
				path := variable.ReplaceAllString(template, "0190a6a2-0000-7000-8000-000000000001")
				rec := httptest.NewRecorder()
				routed = ""
				mux.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
				switch {
				case rec.Code != http.StatusNoContent:
					t.Errorf("%s %s (%s) was not routed: %d", method, path, m.FullName(), rec.Code)
				case routed != want:
					t.Errorf("%s %s (%s) was routed to %s, want %s", method, path, m.FullName(), routed, want)
				}
			}
		}
	}
	for _, spec := range specs {
		if bindings[spec.Name] == 0 {
			t.Errorf("%s: no HTTP bindings found", spec.Name)
		}
	}
	if len(unknown) > 0 {
		t.Errorf("routes the checker does not know:\n%s", strings.Join(unknown, "\n"))
	}
}
