package store_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/ariesone/ariesone/platform/contact"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/errs/errstest"
	"github.com/ariesone/ariesone/services/clinical/internal/app"
	"github.com/ariesone/ariesone/services/clinical/internal/clinicaltest"
	"github.com/ariesone/ariesone/services/clinical/internal/domain"
)

func TestPrescriberRoundTripUniqueNPIAndTenancy(t *testing.T) {
	t.Parallel()
	_, s, _ := clinicaltest.NewStore(t)
	ctx, company := tenantContext()
	p, err := domain.NewPrescriber(uuid.NewString(), company, domain.PrescriberValues{
		NPI: "1234567893", FirstName: "Ada", LastName: "Lovelace", Credentials: "MD", PECOSEnrolled: true,
		Address: contact.Address{Line1: "550 Peachtree St NE", City: "Atlanta", State: "GA", PostalCode: "30308"},
		Phone:   contact.Phone{Number: "404-555-0100", Extension: "12", Kind: contact.PhoneKindMobile},
		Fax:     contact.Phone{Number: "404-555-0199"},
	}, time.Now().UTC().Truncate(time.Microsecond))
	if err != nil {
		t.Fatal(err)
	}
	created, _, err := s.CreatePrescriber(ctx, p, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.GetPrescriber(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(created, got); diff != "" {
		t.Errorf("read back (-created +read):\n%s", diff)
	}
	if got.Phone.Kind != contact.PhoneKindMobile || got.Fax.Kind != contact.PhoneKindFax {
		t.Errorf("phone kinds: %q, %q", got.Phone.Kind, got.Fax.Kind)
	}

	dup := *p
	dup.ID = uuid.NewString()
	_, _, err = s.CreatePrescriber(ctx, &dup, "", nil)
	errstest.Check(t, err, false, errs.KindAlreadyExists, "")

	boom := errors.New("boom")
	if _, err := s.UpdatePrescriber(ctx, p.ID, func(p *domain.Prescriber) error { p.LastName = "X"; return boom }); !errors.Is(err, boom) {
		t.Fatalf("UpdatePrescriber = %v, want boom", err)
	}
	if got, _ := s.GetPrescriber(ctx, p.ID); got.Version != 1 || got.LastName != "Lovelace" {
		t.Errorf("after a failed change: %+v", got)
	}

	other, _ := tenantContext()
	_, err = s.GetPrescriber(other, p.ID)
	errstest.Check(t, err, false, errs.KindNotFound, "")
	_, err = s.UpdatePrescriber(other, p.ID, func(*domain.Prescriber) error { return nil })
	errstest.Check(t, err, false, errs.KindNotFound, "")
	if list, err := s.ListPrescribers(other, app.PrescriberQuery{ShowInactive: true, NPI: "1234567893", Limit: 10}); err != nil || len(list) != 0 {
		t.Errorf("other company's ListPrescribers = %v, %v", list, err)
	}
}

func TestListPrescribersResumesAfterItsCursor(t *testing.T) {
	t.Parallel()
	_, s, _ := clinicaltest.NewStore(t)
	ctx, company := tenantContext()
	names := [][2]string{{"Ada", "Lovelace"}, {"ada", "lovelace"}, {"Zed", "Lovelace"}, {"Grace", "Hopper"}, {"Al", "Lo_ve"}}
	npis := []string{"1234567893", "1987654328", "1111111112", "2222222228", "1345678902"}
	for i, n := range names {
		p, err := domain.NewPrescriber(uuid.NewString(), company, domain.PrescriberValues{NPI: npis[i], FirstName: n[0], LastName: n[1]}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.CreatePrescriber(ctx, p, "", nil); err != nil {
			t.Fatal(err)
		}
	}
	var all []string
	var after []string
	for {
		page, err := s.ListPrescribers(ctx, app.PrescriberQuery{LastNamePrefix: "Lo", After: after, Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		p := page[0]
		all = append(all, p.FirstName+" "+p.LastName)
		after = []string{strings.ToLower(p.LastName), strings.ToLower(p.FirstName), p.ID}
		if len(all) > 10 {
			t.Fatal("the cursor does not advance")
		}
	}
	// "Lo_ve" sorts before "lovelace" ('_' < 'v'); the two Ada Lovelaces
	// are told apart by id, in either order.
	if len(all) != 4 || all[0] != "Al Lo_ve" || all[3] != "Zed Lovelace" {
		t.Errorf("pages = %v", all)
	}
	if found, err := s.ListPrescribers(ctx, app.PrescriberQuery{LastNamePrefix: "Lo_", Limit: 10}); err != nil || len(found) != 1 {
		t.Errorf("prefix with a LIKE wildcard = %v, %v", found, err)
	}
}
