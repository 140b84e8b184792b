package authn

import (
	"log/slog"
	"net/http"
	"strconv"
	"time"
)

// jwksContentType is the media type of a JWK Set (RFC 7517, section 8.5).
// Verifiers (keyfunc, jose libraries) accept it as JSON.
const jwksContentType = "application/jwk-set+json"

// jwksMaxAge is how long HTTP caches may keep the document. Verifiers also
// refetch on an unknown kid, so a short value only bounds how long a cache
// between them and company could hide a new key.
const jwksMaxAge = time.Minute

// JWKSHandler serves the published public keys at JWKSPath for the other
// services' verifiers. It reads the signing_keys table when its copy is
// older than a few seconds, so every replica publishes a key another
// replica has just made before tokens signed with it reach many verifiers.
func JWKSHandler(keys *KeySet, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		doc, err := keys.JWKS(r.Context(), 5*time.Second)
		if err != nil {
			logger.ErrorContext(r.Context(), "serving JWKS", "error", err)
			http.Error(w, "key set unavailable", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", jwksContentType)
		w.Header().Set("Cache-Control", "public, max-age="+strconv.Itoa(int(jwksMaxAge.Seconds())))
		w.Header().Set("X-Content-Type-Options", "nosniff")
		_, _ = w.Write(doc)
	})
}
