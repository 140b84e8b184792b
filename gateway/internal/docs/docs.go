// Package docs serves the API's documentation page: swagger-ui rendering the
// gateway's OpenAPI document. swagger-ui's files (the npm package
// swagger-ui-dist) are fetched at build time by
// gateway/scripts/fetch-swagger-ui.sh into a directory (DOCS_DIR) and are
// never committed; the page and its start-up script are served from here,
// so no inline script is needed and the page's Content-Security-Policy can
// stay at script-src 'self'.
//
// When the directory is missing the page says how to fetch the files; the
// rest of the gateway does not depend on them.
package docs

import (
	"encoding/json"
	"html/template"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"slices"
	texttemplate "text/template"

	"github.com/ariesone/ariesone/gateway/internal/httperr"
)

// assets are the swagger-ui-dist files the page uses; nothing else in the
// directory is served.
var assets = []string{
	"swagger-ui.css",
	"swagger-ui-bundle.js",
	"swagger-ui-standalone-preset.js",
	"favicon-16x16.png",
	"favicon-32x32.png",
}

// Handler serves the docs page under prefix ("/docs").
type Handler struct {
	dir    string
	prefix string
	specs  []Spec
	files  http.Handler
}

// Spec is one document the page can show, picked from its top bar.
type Spec struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

// New returns a Handler serving swagger-ui from dir under prefix, showing the
// OpenAPI documents specs, the first one first.
func New(dir, prefix string, specs ...Spec) *Handler {
	return &Handler{
		dir:    dir,
		prefix: prefix,
		specs:  specs,
		files:  http.StripPrefix(prefix+"/", http.FileServer(http.Dir(dir))),
	}
}

// Available reports whether swagger-ui's files are in the directory.
func (h *Handler) Available() bool {
	info, err := os.Stat(filepath.Join(h.dir, "swagger-ui-bundle.js"))
	return err == nil && !info.IsDir()
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		httperr.Write(w, r, httperr.New(http.StatusMethodNotAllowed, "Method "+r.Method+" is not allowed on this route"))
		return
	}
	switch p := r.URL.Path; {
	case p == h.prefix || p == h.prefix+"/":
		h.page(w)
	case p == h.prefix+"/initializer.js":
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		_ = initializer.Execute(w, h.specs)
	case slices.Contains(assets, path.Base(p)) && path.Dir(p) == h.prefix && h.Available():
		h.files.ServeHTTP(w, r)
	default:
		httperr.Write(w, r, httperr.New(http.StatusNotFound, "No such resource or route"))
	}
}

func (h *Handler) page(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if !h.Available() {
		_ = missing.Execute(w, h.dir)
		return
	}
	_ = page.Execute(w, h.prefix)
}

var page = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>AriesOne API</title>
<link rel="stylesheet" href="{{.}}/swagger-ui.css">
<link rel="icon" type="image/png" href="{{.}}/favicon-32x32.png" sizes="32x32">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{{.}}/swagger-ui-bundle.js"></script>
<script src="{{.}}/swagger-ui-standalone-preset.js"></script>
<script src="{{.}}/initializer.js"></script>
</body>
</html>
`))

// initializer starts swagger-ui on the gateway's own documents, the first one
// shown first. validatorUrl null keeps the page from sending a document to an
// outside validator.
var initializer = texttemplate.Must(texttemplate.New("init").Funcs(texttemplate.FuncMap{"js": jsString}).Parse(
	`window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    urls: {{js .}},
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: "StandaloneLayout"
  });
});
`))

var missing = template.Must(template.New("missing").Parse(`<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>AriesOne API docs</title></head>
<body>
<h1>API docs are not installed</h1>
<p>The documentation page needs swagger-ui's files, which are fetched at build time and were not found in
<code>{{.}}</code>.</p>
<p>Fetch them with <code>gateway/scripts/fetch-swagger-ui.sh</code> (it needs npm), or point
<code>DOCS_DIR</code> at a directory holding swagger-ui-dist. The OpenAPI document itself is served all the same.</p>
</body>
</html>
`))

// jsString renders v as a JavaScript literal (JSON, which escapes <, > and &
// so nothing in it can end the script).
func jsString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
