package restmux

import (
	"context"
	"net/http"
	"strings"

	"google.golang.org/protobuf/proto"
)

// etagged is implemented by every resource message with an etag field
// (AIP-154); the generated getter is the resource's top-level "etag".
type etagged interface {
	GetEtag() string
}

// setETag copies the etag of a returned resource into the ETag header, so
// HTTP clients and caches can revalidate with If-None-Match (answered by the
// edge's conditional-request middleware).
func setETag(_ context.Context, w http.ResponseWriter, resp proto.Message) error {
	r, ok := resp.(etagged)
	if !ok {
		return nil
	}
	if tag := entityTag(r.GetEtag()); tag != "" {
		w.Header().Set("ETag", tag)
	}
	return nil
}

// entityTag returns etag in HTTP entity-tag form. Services already write
// etags quoted ("42", or W/"42"); a bare value is quoted here rather than
// trusted, and one that cannot be an entity tag is not sent at all.
func entityTag(etag string) string {
	if etag == "" || strings.ContainsAny(etag, "\r\n") {
		return ""
	}
	body := strings.TrimPrefix(etag, "W/")
	if len(body) >= 2 && body[0] == '"' && body[len(body)-1] == '"' {
		if strings.Contains(body[1:len(body)-1], `"`) {
			return ""
		}
		return etag
	}
	if strings.Contains(etag, `"`) {
		return ""
	}
	return `"` + etag + `"`
}
