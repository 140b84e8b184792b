package fhir

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/ariesone/ariesone/gateway/internal/fhir/r4"
	"github.com/ariesone/ariesone/gateway/internal/fhir/restful"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Transactions: POST [base] with a Bundle of type transaction. An intake
// transaction carries the DeviceRequests to create, which together make one
// record (the lines of one order), and the resources they reference, which
// are matched to existing records (Resource.Match), never written. Everything is matched before the one create runs, so a refused
// transaction has written nothing; its OperationOutcome names the entry's
// element (Bundle.entry[i].resource...).

// maxEntries bounds a transaction: an order and what it references.
const maxEntries = 20

// transactionBundle is a transaction as posted.
type transactionBundle struct {
	ResourceType string             `json:"resourceType"`
	Type         string             `json:"type"`
	Entry        []transactionEntry `json:"entry"`
}

type transactionEntry struct {
	FullURL  string          `json:"fullUrl"`
	Resource json.RawMessage `json:"resource"`
	Request  *struct {
		Method      string `json:"method"`
		URL         string `json:"url"`
		IfNoneExist string `json:"ifNoneExist"`
	} `json:"request"`
}

// TransactionResponse is the answer to a transaction: one entry per
// request entry, in order.
type TransactionResponse struct {
	ResourceType string                  `json:"resourceType"`
	Type         string                  `json:"type"`
	Entry        []TransactionEntryReply `json:"entry"`
}

// TransactionEntryReply is the outcome of one entry.
type TransactionEntryReply struct {
	FullURL  string        `json:"fullUrl,omitempty"`
	Resource r4.Object     `json:"resource,omitempty"`
	Response EntryResponse `json:"response"`
}

// EntryResponse is an entry's HTTP-like outcome.
type EntryResponse struct {
	Status   string `json:"status"`
	Location string `json:"location,omitempty"`
	Etag     string `json:"etag,omitempty"`
}

// transact runs a transaction Bundle.
func (h *Handler) transact(ctx context.Context, base string, body []byte) (TransactionResponse, error) {
	var b transactionBundle
	if err := restful.DecodeResource(body, "Bundle", "Bundle", &b); err != nil {
		return TransactionResponse{}, err
	}
	if b.Type != "transaction" {
		return TransactionResponse{}, &restful.Error{Status: http.StatusBadRequest, Code: restful.IssueNotSupported,
			Diagnostics: "Bundle.type must be transaction: batches and other Bundles are not processed"}
	}
	if len(b.Entry) == 0 || len(b.Entry) > maxEntries {
		return TransactionResponse{}, restful.Invalid(fmt.Sprintf("a transaction holds 1 to %d entries", maxEntries))
	}
	var p restful.Problems
	entries, seen := map[string]*restful.Matched{}, map[string]bool{}
	var creates, matches []int
	types := make([]string, len(b.Entry))
	for i, e := range b.Entry {
		path := fmt.Sprintf("Bundle.entry[%d]", i)
		var head struct {
			ResourceType string `json:"resourceType"`
		}
		if len(e.Resource) == 0 || json.Unmarshal(e.Resource, &head) != nil || head.ResourceType == "" {
			p.AddStatus(http.StatusBadRequest, restful.IssueStructure, path+".resource", "each entry needs a resource")
			continue
		}
		types[i] = head.ResourceType
		if e.Request == nil || e.Request.Method == "" {
			p.AddStatus(http.StatusBadRequest, restful.IssueStructure, path+".request", "each entry of a transaction needs a request")
			continue
		}
		if e.FullURL != "" {
			if seen[e.FullURL] {
				p.AddStatus(http.StatusBadRequest, restful.IssueStructure, path+".fullUrl", "two entries have the fullUrl "+e.FullURL)
				continue
			}
			seen[e.FullURL] = true
		}
		res, ok := h.types[head.ResourceType]
		switch {
		case ok && res.Create != nil && e.Request.Method == http.MethodPost:
			if url := strings.TrimPrefix(e.Request.URL, "/"); url != res.Type {
				p.Add(path+".request.url", "a create is POST "+res.Type)
				continue
			}
			creates = append(creates, i)
		case ok && res.Match != nil && (e.Request.Method == http.MethodPost || e.Request.Method == http.MethodPut):
			matches = append(matches, i)
		default:
			p.Add(path, head.ResourceType+" "+e.Request.Method+" is not processed here: a transaction creates DeviceRequests "+
				"and matches the Patient, Practitioner and Coverage they reference to existing records")
		}
	}
	if len(creates) == 0 && p.Err() == nil {
		p.Add("Bundle.entry", "the transaction has no DeviceRequest to create")
	}
	if err := p.Err(); err != nil {
		return TransactionResponse{}, err
	}
	// Patients first, then practitioners, then coverages: a coverage names
	// its patient.
	matchedAt := make([]*restful.Matched, len(b.Entry))
	for _, typ := range matchOrder {
		for _, i := range matches {
			if types[i] != typ {
				continue
			}
			path := fmt.Sprintf("Bundle.entry[%d].resource", i)
			m, err := h.types[typ].Match(ctx, b.Entry[i].Resource, path, entries)
			if err != nil {
				return TransactionResponse{}, err
			}
			m.Type, m.Path = typ, path
			if url := b.Entry[i].FullURL; url != "" {
				entries[url] = m
			}
			matchedAt[i] = m
		}
	}
	sub := restful.Submission{Entries: entries}
	for _, i := range creates {
		e := b.Entry[i]
		sub.Requests = append(sub.Requests, restful.Request{
			Resource: e.Resource, Path: fmt.Sprintf("Bundle.entry[%d].resource", i), IfNoneExist: e.Request.IfNoneExist,
		})
	}
	created, err := h.types[types[creates[0]]].Create(ctx, sub)
	if err != nil {
		return TransactionResponse{}, err
	}
	if len(created.Resources) != len(creates) {
		return TransactionResponse{}, status.Errorf(codes.Internal, "%d creates, %d created", len(creates), len(created.Resources))
	}
	out := TransactionResponse{ResourceType: "Bundle", Type: "transaction-response"}
	for i, m := range matchedAt {
		if k := slices.Index(creates, i); k >= 0 {
			out.Entry = append(out.Entry, createdEntry(base, created.Resources[k], created.Replayed))
			continue
		}
		out.Entry = append(out.Entry, TransactionEntryReply{Response: EntryResponse{Status: "200 OK", Location: m.Type + "/" + m.ID}})
	}
	return out, nil
}

// matchOrder is the order entries are matched in: a coverage names its
// patient, so patients come first.
var matchOrder = []string{"Patient", "Practitioner", "Coverage"}

// createdEntry is the reply entry of a create: 201, or 200 when the
// identifier had created it before (FHIR's conditional create match).
func createdEntry(base string, o r4.Object, replayed bool) TransactionEntryReply {
	b := o.Common()
	r := TransactionEntryReply{
		FullURL:  base + "/" + b.ResourceType + "/" + b.ID,
		Resource: o,
		Response: EntryResponse{Status: "201 Created", Location: b.ResourceType + "/" + b.ID},
	}
	if replayed {
		r.Response.Status = "200 OK"
	}
	if b.Meta != nil && b.Meta.VersionID != "" {
		r.Response.Etag = `W/"` + b.Meta.VersionID + `"`
	}
	return r
}
