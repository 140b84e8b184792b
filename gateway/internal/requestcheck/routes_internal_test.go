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

	"github.com/ariesone/ariesone/gateway/internal/backends"
)

// TestEveryBindingIsChecked proves that every HTTP binding of the served
// services is recognised by the checker when the real mux routes a request
// to it: the table is keyed by runtime.Pattern's String form, and this test
// fails if that form and the checker's reading of the templates drift apart.
func TestEveryBindingIsChecked(t *testing.T) {
	checker, err := New(backends.Company.Services...)
	if err != nil {
		t.Fatal(err)
	}
	var unknown []string
	probe := func(next runtime.HandlerFunc) runtime.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request, _ map[string]string) {
			p, _ := runtime.HTTPPattern(r.Context())
			if !checker.Knows(r.Method, p.String()) {
				unknown = append(unknown, r.Method+" "+p.String())
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
	if err := backends.Company.Register(t.Context(), mux, conn); err != nil {
		t.Fatal(err)
	}
	variable := regexp.MustCompile(`\{[^}]+\}`)
	bindings := 0
	for _, sd := range backends.Company.Services {
		for i := range sd.Methods().Len() {
			m := sd.Methods().Get(i)
			rule, _ := proto.GetExtension(m.Options(), annotations.E_Http).(*annotations.HttpRule)
			method, template := binding(rule)
			if template == "" {
				continue
			}
			bindings++
			path := variable.ReplaceAllString(template, "0190a6a2-0000-7000-8000-000000000001")
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
			if rec.Code != http.StatusNoContent {
				t.Errorf("%s %s (%s) was not routed: %d", method, path, m.FullName(), rec.Code)
			}
		}
	}
	if bindings == 0 {
		t.Fatal("no HTTP bindings found")
	}
	if len(unknown) > 0 {
		t.Errorf("routes the checker does not know:\n%s", strings.Join(unknown, "\n"))
	}
}
