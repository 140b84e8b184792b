// Package jwks publishes the company service's token-verification keys at
// the well-known address (RFC 8414 / OpenID style /.well-known/jwks.json) as
// a plain JSON Web Key Set, so partners and off-the-shelf JWT libraries can
// verify AriesOne access tokens without knowing the REST API.
package jwks

import (
	"log/slog"
	"net/http"
	"strconv"

	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/ariesone/ariesone/gateway/internal/httperr"
	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
	"github.com/ariesone/ariesone/platform/requestid"
)

// Path is where the key set is served.
const Path = "/.well-known/jwks.json"

// Handler returns the key set from AuthService.GetJwks on every request; the
// company service is the only source of truth for which keys are current,
// and rotation must show here at once.
func Handler(client companyv1.AuthServiceClient, logger *slog.Logger) http.Handler {
	marshal := protojson.MarshalOptions{UseProtoNames: true, EmitUnpopulated: false}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			httperr.Write(w, r, httperr.New(http.StatusMethodNotAllowed, "Method "+r.Method+" is not allowed on this route"))
			return
		}
		ctx := metadata.AppendToOutgoingContext(r.Context(), requestid.Header, requestid.FromContext(r.Context()))
		set, err := client.GetJwks(ctx, &companyv1.GetJwksRequest{})
		if err != nil {
			st := status.Convert(err)
			if httperr.Hidden(st.Code()) {
				logger.WarnContext(r.Context(), "fetching JWKS failed",
					slog.String("request_id", requestid.FromContext(r.Context())),
					slog.String("code", st.Code().String()),
					slog.String("error", st.Message()))
			}
			httperr.Write(w, r, httperr.FromStatus(st))
			return
		}
		body, err := marshal.Marshal(set)
		if err != nil {
			httperr.Write(w, r, httperr.New(http.StatusInternalServerError, httperr.MessageInternal))
			return
		}
		if len(set.GetKeys()) == 0 {
			// protojson leaves empty lists out; a JWKS must have "keys".
			body = []byte(`{"keys":[]}`)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = w.Write(body)
	})
}
