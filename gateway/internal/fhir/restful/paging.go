package restful

import (
	"context"
	"strconv"
	"strings"

	"github.com/ariesone/ariesone/gateway/internal/fhir/r4"
)

// PatientParam reads a reference search value naming a patient: the id, or
// Patient/id. Another type's reference is refused, since it can match
// nothing and an empty answer would read as "none".
func PatientParam(name, v string) (string, error) {
	if typ, id, ok := strings.Cut(v, "/"); ok {
		if typ != "Patient" || id == "" || strings.Contains(id, "/") {
			return "", Invalid(name + " must be a patient id or Patient/<id>")
		}
		return id, nil
	}
	return v, nil
}

// RequirePatient returns the patient a search names with patient (or, when
// alias is set, with alias instead): the services list these records only
// per patient.
func RequirePatient(q Query, alias string) (string, error) {
	v, ok := q.Get("patient")
	name := "patient"
	if alias != "" {
		if a, hasAlias := q.Get(alias); hasAlias {
			if ok {
				return "", Invalid("give patient or " + alias + ", not both: they are the same parameter")
			}
			v, ok, name = a, true, alias
		}
	}
	if !ok {
		return "", Invalid("this search needs patient: the service lists these records per patient")
	}
	return PatientParam(name, v)
}

// Paging a search whose service lists parents (orders) while the FHIR
// resources are their children (order lines, delivered lines). A page of
// parents may hold more children than _count allows, so a page can end
// inside a service page. The facade's page token says where:
// "<service page size>.<children to skip>.<service page token>". Resuming
// refetches that service page with the same size and skips what was
// served; the size is kept in the token because a different size would
// start the next service page elsewhere.

// MaxParentPages bounds the service pages one FHIR page reads when the
// children are filtered out (a status search); past it the page ends short
// with a next link, which FHIR allows.
const MaxParentPages = 10

// ListParents fetches one service page of parents.
type ListParents[P any] func(ctx context.Context, pageSize int, token string) (parents []P, next string, err error)

// ChildPage returns one FHIR page of the children of the parents list
// pages through.
func ChildPage[P any](ctx context.Context, q Query, list ListParents[P], children func(context.Context, P) ([]r4.Object, error)) (Page, error) {
	size, skip, token := q.Count, 0, ""
	if q.PageToken != "" {
		var err error
		if size, skip, token, err = parseChildToken(q.PageToken); err != nil {
			return Page{}, err
		}
	}
	var page Page
	for range MaxParentPages {
		parents, next, err := list(ctx, size, token)
		if err != nil {
			return Page{}, err
		}
		var kids []r4.Object
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
	bad := Invalid(PageTokenParam + " is not a token this search issued; follow the Bundle's next link")
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

// SplitToken splits a token search value "system|value"; a value with no
// bar, or with nothing before it, has no system.
func SplitToken(v string) (system, value string) {
	if s, val, ok := strings.Cut(v, "|"); ok {
		return s, val
	}
	return "", v
}
