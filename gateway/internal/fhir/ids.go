package fhir

import (
	"context"
	"regexp"
	"strconv"
	"strings"
)

// Composite ids. Some services address a record only under its parent
// (a coverage under its patient, an order line under its order), and the
// facade reads nothing but their gRPC APIs, so a FHIR id must carry both
// UUIDs. Two UUIDs with their dashes and a separator are 73 characters,
// more than FHIR's 64, so a composite id is both UUIDs as 32 lower-case hex
// digits each, parent first, concatenated: exactly 64 characters, split by
// position. Clients treat ids as opaque, as FHIR requires; the shape is
// documented so support staff can read one.

// compositePattern is the shape of a composite id.
var compositePattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

// compositeID joins a parent's and a child's UUID; "" when either is
// missing, so the resource goes without an id rather than with a wrong one.
func compositeID(parent, child string) string {
	p, c := compactUUID(parent), compactUUID(child)
	if p == "" || c == "" {
		return ""
	}
	return p + c
}

// splitID splits a composite id into its parent's and child's canonical
// UUIDs; ok is false for anything compositeID cannot have produced.
func splitID(id string) (parent, child string, ok bool) {
	if !compositePattern.MatchString(id) {
		return "", "", false
	}
	return dashed(id[:32]), dashed(id[32:]), true
}

// compactUUID is a UUID as 32 lower-case hex digits; "" when u is not one.
func compactUUID(u string) string {
	c := strings.ToLower(strings.ReplaceAll(u, "-", ""))
	if len(c) != 32 || strings.Trim(c, "0123456789abcdef") != "" {
		return ""
	}
	return c
}

func dashed(h string) string {
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// patientParam reads a reference search value naming a patient: the id, or
// Patient/id. Another type's reference is refused, since it can match
// nothing and an empty answer would read as "none".
func patientParam(name, v string) (string, error) {
	if typ, id, ok := strings.Cut(v, "/"); ok {
		if typ != "Patient" || id == "" || strings.Contains(id, "/") {
			return "", invalid(name + " must be a patient id or Patient/<id>")
		}
		return id, nil
	}
	return v, nil
}

// requirePatient returns the patient a search names with patient (or, when
// alias is set, with alias instead): the services list these records only
// per patient.
func requirePatient(q Query, alias string) (string, error) {
	v, ok := q.Get("patient")
	name := "patient"
	if alias != "" {
		if a, hasAlias := q.Get(alias); hasAlias {
			if ok {
				return "", invalid("give patient or " + alias + ", not both: they are the same parameter")
			}
			v, ok, name = a, true, alias
		}
	}
	if !ok {
		return "", invalid("this search needs patient: the service lists these records per patient")
	}
	return patientParam(name, v)
}

// Paging a search whose service lists parents (orders) while the FHIR
// resources are their children (order lines, delivered lines). A page of
// parents may hold more children than _count allows, so a page can end
// inside a service page. The facade's page token says where:
// "<service page size>.<children to skip>.<service page token>". Resuming
// refetches that service page with the same size and skips what was
// served; the size is kept in the token because a different size would
// start the next service page elsewhere.

// maxParentPages bounds the service pages one FHIR page reads when the
// children are filtered out (a status search); past it the page ends short
// with a next link, which FHIR allows.
const maxParentPages = 10

// listParents fetches one service page of parents.
type listParents[P any] func(ctx context.Context, pageSize int, token string) (parents []P, next string, err error)

// childPage returns one FHIR page of the children of the parents list
// pages through.
func childPage[P any](ctx context.Context, q Query, list listParents[P], children func(context.Context, P) ([]Object, error)) (Page, error) {
	size, skip, token := q.Count, 0, ""
	if q.PageToken != "" {
		var err error
		if size, skip, token, err = parseChildToken(q.PageToken); err != nil {
			return Page{}, err
		}
	}
	var page Page
	for range maxParentPages {
		parents, next, err := list(ctx, size, token)
		if err != nil {
			return Page{}, err
		}
		var kids []Object
		for _, p := range parents {
			c, err := children(ctx, p)
			if err != nil {
				return Page{}, err
			}
			kids = append(kids, c...)
		}
		kids = kids[min(skip, len(kids)):]
		if room := q.Count - len(page.Resources); len(kids) > room {
			page.Resources = append(page.Resources, kids[:room]...)
			page.NextPageToken = childToken(size, skip+room, token)
			return page, nil
		}
		page.Resources = append(page.Resources, kids...)
		if next == "" {
			return page, nil
		}
		token, skip = next, 0
		if len(page.Resources) == q.Count {
			break
		}
	}
	page.NextPageToken = childToken(size, 0, token)
	return page, nil
}

func childToken(size, skip int, token string) string {
	return strconv.Itoa(size) + "." + strconv.Itoa(skip) + "." + token
}

func parseChildToken(t string) (size, skip int, token string, err error) {
	parts := strings.SplitN(t, ".", 3)
	bad := invalid(PageTokenParam + " is not a token this search issued; follow the Bundle's next link")
	if len(parts) != 3 {
		return 0, 0, "", bad
	}
	size, err1 := strconv.Atoi(parts[0])
	skip, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil || size < 1 || size > MaxCount || skip < 0 {
		return 0, 0, "", bad
	}
	return size, skip, parts[2], nil
}
