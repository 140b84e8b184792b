package fhir

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/ariesone/ariesone/gateway/internal/fhir/r4"
	"github.com/ariesone/ariesone/gateway/internal/fhir/restful"
)

// Bundle is a searchset: one page of matches and the links to this page and
// the next. No total is given: the services page by keyset and do not count.
type Bundle struct {
	ResourceType string        `json:"resourceType"`
	Type         string        `json:"type"`
	Link         []BundleLink  `json:"link,omitempty"`
	Entry        []BundleEntry `json:"entry,omitempty"`
}

// BundleLink is a related page ("self", "next").
type BundleLink struct {
	Relation string `json:"relation"`
	URL      string `json:"url"`
}

// BundleEntry is one match.
type BundleEntry struct {
	FullURL  string       `json:"fullUrl,omitempty"`
	Resource r4.Object    `json:"resource"`
	Search   *EntrySearch `json:"search,omitempty"`
}

// EntrySearch says why an entry is in a searchset.
type EntrySearch struct {
	Mode string `json:"mode"`
}

// bundle builds the searchset of page. The self link is the search as it
// was performed (parameters in a stable order, _count as applied); next
// repeats it with the service's next page token. The links of a BodyOnly
// search with criteria carry none: they point at POST [base]/Type/_search
// with _count and the token, and the client posts its criteria to them
// again. Without criteria it is a listing, and its links are plain GETs.
func (h *Handler) bundle(r *http.Request, res restful.Resource, q restful.Query, page restful.Page) Bundle {
	base := h.baseURL(r)
	b := Bundle{ResourceType: "Bundle", Type: "searchset"}
	target, criteria := base+"/"+res.Type, q.Params
	if res.Search.BodyOnly && len(criteria) > 0 {
		target, criteria = target+"/"+restful.SearchPath, nil
	}
	b.Link = append(b.Link, BundleLink{Relation: "self", URL: searchURL(target, criteria, q.Count, q.PageToken)})
	if page.NextPageToken != "" {
		b.Link = append(b.Link, BundleLink{Relation: "next", URL: searchURL(target, criteria, q.Count, page.NextPageToken)})
	}
	for _, o := range page.Resources {
		e := BundleEntry{Resource: o, Search: &EntrySearch{Mode: "match"}}
		if id := o.Common().ID; id != "" {
			e.FullURL = base + "/" + o.Common().ResourceType + "/" + id
		}
		b.Entry = append(b.Entry, e)
	}
	return b
}

// searchURL is the URL of a search with criteria at page token.
// url.Values.Encode sorts by name, so one search has one spelling.
func searchURL(target string, criteria map[string]string, count int, token string) string {
	v := url.Values{}
	for name, value := range criteria {
		v.Set(name, value)
	}
	v.Set(restful.CountParam, strconv.Itoa(count))
	if token != "" {
		v.Set(restful.PageTokenParam, token)
	}
	return target + "?" + v.Encode()
}

// CapabilityStatement describes the server: what NewCapabilityStatement
// derives from the registration table.
type CapabilityStatement struct {
	ResourceType   string           `json:"resourceType"`
	Status         string           `json:"status"`
	Date           string           `json:"date"`
	Publisher      string           `json:"publisher,omitempty"`
	Kind           string           `json:"kind"`
	Software       *Software        `json:"software,omitempty"`
	Implementation *Implementation  `json:"implementation,omitempty"`
	FHIRVersion    string           `json:"fhirVersion"`
	Format         []string         `json:"format"`
	Rest           []CapabilityRest `json:"rest"`
}

// Software names the server.
type Software struct {
	Name string `json:"name"`
}

// Implementation is the deployment the statement describes; FHIR requires
// it of a statement of kind "instance".
type Implementation struct {
	Description string `json:"description"`
}

// CapabilityRest is the server's RESTful capabilities.
type CapabilityRest struct {
	Mode        string               `json:"mode"`
	Resource    []CapabilityResource `json:"resource"`
	Interaction []CapabilityCode     `json:"interaction,omitempty"`
}

// CapabilityResource is what is served of one resource type.
type CapabilityResource struct {
	Type          string           `json:"type"`
	Documentation string           `json:"documentation,omitempty"`
	Interaction   []CapabilityCode `json:"interaction"`
	// ConditionalCreate says a create honours If-None-Exist.
	ConditionalCreate bool                  `json:"conditionalCreate,omitempty"`
	SearchParam       []CapabilitySearchArg `json:"searchParam,omitempty"`
}

// CapabilityCode is one interaction.
type CapabilityCode struct {
	Code string `json:"code"`
}

// CapabilitySearchArg is one search parameter.
type CapabilitySearchArg struct {
	Name          string `json:"name"`
	Type          string `json:"type"`
	Documentation string `json:"documentation,omitempty"`
}

// NewCapabilityStatement describes exactly resources: the router serves
// read for each, search-type where Search is set, with its parameters plus
// the paging ones every search accepts.
func NewCapabilityStatement(resources []restful.Resource, now time.Time) CapabilityStatement {
	rest := CapabilityRest{Mode: "server", Resource: []CapabilityResource{}}
	for _, r := range resources {
		cr := CapabilityResource{Type: r.Type, Interaction: []CapabilityCode{{Code: "read"}}}
		if r.Create != nil {
			cr.Interaction = append(cr.Interaction, CapabilityCode{Code: "create"})
			cr.ConditionalCreate = true
			cr.Documentation = "Create drafts an order (order intake): matched by the requester's identifier, so a retry " +
				"(plain, or conditional with If-None-Exist: identifier=<system>|<value>) drafts nothing new and answers 200."
			if len(rest.Interaction) == 0 {
				rest.Interaction = []CapabilityCode{{Code: "transaction"}}
			}
		}
		if r.Search != nil {
			cr.Interaction = append(cr.Interaction, CapabilityCode{Code: "search-type"})
			if r.Search.BodyOnly {
				cr.Documentation = "Search criteria identify patients and are accepted only in the form body of POST " +
					Path + "/" + r.Type + "/" + restful.SearchPath + "; paging links carry no criteria, post them again to the next link."
			}
			for _, p := range r.Search.Params {
				cr.SearchParam = append(cr.SearchParam, CapabilitySearchArg{Name: p.Name, Type: p.Type, Documentation: p.Documentation})
			}
			cr.SearchParam = append(cr.SearchParam,
				CapabilitySearchArg{Name: restful.CountParam, Type: "number",
					Documentation: "Page size: default " + strconv.Itoa(restful.DefaultCount) + ", at most " + strconv.Itoa(restful.MaxCount) + " (larger values are lowered)."},
				CapabilitySearchArg{Name: restful.PageTokenParam, Type: "string",
					Documentation: "Opaque token of the next page; taken from the Bundle's next link, never built by clients."})
		}
		rest.Resource = append(rest.Resource, cr)
	}
	return CapabilityStatement{
		ResourceType:   "CapabilityStatement",
		Status:         "active",
		Date:           now.UTC().Format(time.RFC3339),
		Publisher:      "AriesOne",
		Kind:           "instance",
		Software:       &Software{Name: "AriesOne gateway FHIR facade"},
		Implementation: &Implementation{Description: "AriesOne FHIR R4 facade over the AriesOne services: records read and searched, DME orders taken in as DeviceRequests"},
		FHIRVersion:    Version,
		Format:         []string{"json", MediaType},
		Rest:           []CapabilityRest{rest},
	}
}
