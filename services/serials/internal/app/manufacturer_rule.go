package app

import (
	"context"

	serialsv1 "github.com/ariesone/ariesone/gen/go/ariesone/serials/v1"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/etag"
	"github.com/ariesone/ariesone/platform/protoconv"
	"github.com/ariesone/ariesone/platform/usecase"
	"github.com/ariesone/ariesone/services/serials/internal/apienum"
	"github.com/ariesone/ariesone/services/serials/internal/domain"
)

// Manufacturer rule event types.
const (
	EventManufacturerRuleSet     = "serials.manufacturer_rule.set.v1"
	EventManufacturerRuleDeleted = "serials.manufacturer_rule.deleted.v1"
)

// ManufacturerRuleRepository stores the manufacturers' serial rules, which
// items without a rule of their own follow.
type ManufacturerRuleRepository interface {
	GetManufacturerRule(ctx context.Context, manufacturer string) (*domain.ManufacturerRule, error)
	ListManufacturerRules(ctx context.Context, after string, limit int) ([]*domain.ManufacturerRule, error)
	SetManufacturerRule(ctx context.Context, r *domain.ManufacturerRule, check func(current *domain.ManufacturerRule) error) (*domain.ManufacturerRule, error)
	DeleteManufacturerRule(ctx context.Context, manufacturer string, check func(current *domain.ManufacturerRule) error) (*domain.ManufacturerRule, error)
}

// checkManufacturer refuses a blank manufacturer name.
func checkManufacturer(field, manufacturer string) error {
	if domain.ManufacturerKey(manufacturer) == "" {
		return errs.Invalid(errs.FieldViolation{Field: field, Description: "is required"})
	}
	return nil
}

// ManufacturerRule returns the caller's rule for manufacturer.
func (h Items) ManufacturerRule(ctx context.Context, manufacturer string) (*domain.ManufacturerRule, error) {
	if _, err := usecase.Caller(ctx); err != nil {
		return nil, err
	}
	if err := checkManufacturer("manufacturer", manufacturer); err != nil {
		return nil, err
	}
	return h.s.Store.GetManufacturerRule(ctx, manufacturer)
}

// ManufacturerRulePage is one page of manufacturer serial rules.
type ManufacturerRulePage = usecase.Page[*domain.ManufacturerRule]

// ManufacturerRules returns one page of the caller's rules.
func (h Items) ManufacturerRules(ctx context.Context, pageSize int32, pageToken string) (ManufacturerRulePage, error) {
	caller, err := usecase.Caller(ctx)
	if err != nil {
		return ManufacturerRulePage{}, err
	}
	found, next, err := usecase.KeysetPage(h.s.Pages, pageSize, pageToken, []string{"ListManufacturerSerialRules", caller.CompanyID}, nil,
		func(after string, limit int) ([]*domain.ManufacturerRule, error) {
			return h.s.Store.ListManufacturerRules(ctx, after, limit)
		},
		func(r *domain.ManufacturerRule) string { return domain.ManufacturerKey(r.Manufacturer) })
	return ManufacturerRulePage{Items: found, NextPageToken: next}, err
}

// SetManufacturerRule sets a manufacturer's rule. Violations name fields
// of the request ("rule.manufacturer", "rule.rule.pattern").
type SetManufacturerRule struct {
	Manufacturer string
	Format       domain.SerialFormat
	// Etag, when set, must be the current rule's.
	Etag string
}

// SetManufacturerRule creates or replaces the rule and records
// ManufacturerSerialRuleSet.
func (h Items) SetManufacturerRule(ctx context.Context, cmd SetManufacturerRule) (*domain.ManufacturerRule, error) {
	caller, err := usecase.Caller(ctx)
	if err != nil {
		return nil, err
	}
	r, err := domain.NewManufacturerRule(caller.CompanyID, cmd.Manufacturer, cmd.Format, h.s.Now.Stamp())
	if err != nil {
		return nil, usecase.UnderField("rule", err)
	}
	return usecase.Change(ctx, h.s.UnitOfWork, h.s.Events, func(ctx context.Context) (*domain.ManufacturerRule, []usecase.Event, error) {
		stored, err := h.s.Store.SetManufacturerRule(ctx, r, func(current *domain.ManufacturerRule) error {
			return checkRuleEtag("rule.etag", cmd.Etag, current)
		})
		if err != nil {
			return nil, nil, err
		}
		return stored, []usecase.Event{{Type: EventManufacturerRuleSet, CompanyID: stored.CompanyID,
			Payload: &serialsv1.ManufacturerSerialRuleSet{CompanyId: stored.CompanyID, ActorId: caller.Subject,
				OccurTime: protoconv.Time(stored.UpdateTime), Manufacturer: stored.Manufacturer,
				Pattern: stored.Format.Pattern, CheckDigit: apienum.CheckDigitProto(stored.Format.CheckDigit), Version: stored.Version}}}, nil
	})
}

// DeleteManufacturerRule removes a manufacturer's rule and records
// ManufacturerSerialRuleDeleted.
func (h Items) DeleteManufacturerRule(ctx context.Context, manufacturer, etagValue string) error {
	caller, err := usecase.Caller(ctx)
	if err != nil {
		return err
	}
	if err := checkManufacturer("manufacturer", manufacturer); err != nil {
		return err
	}
	now := h.s.Now.Stamp()
	_, err = usecase.Change(ctx, h.s.UnitOfWork, h.s.Events, func(ctx context.Context) (*domain.ManufacturerRule, []usecase.Event, error) {
		gone, err := h.s.Store.DeleteManufacturerRule(ctx, manufacturer, func(current *domain.ManufacturerRule) error {
			return checkRuleEtag("etag", etagValue, current)
		})
		if err != nil {
			return nil, nil, err
		}
		return gone, []usecase.Event{{Type: EventManufacturerRuleDeleted, CompanyID: gone.CompanyID,
			Payload: &serialsv1.ManufacturerSerialRuleDeleted{CompanyId: gone.CompanyID, ActorId: caller.Subject,
				OccurTime: protoconv.Time(now), Manufacturer: gone.Manufacturer}}}, nil
	})
	return err
}

// checkRuleEtag accepts an empty etag, or the current rule's; a rule that
// does not exist has no etag to match.
func checkRuleEtag(field, supplied string, current *domain.ManufacturerRule) error {
	if supplied == "" {
		return nil
	}
	var version int64
	if current != nil {
		version = current.Version
	}
	return usecase.UnderField(field, etag.Check(supplied, version))
}

// makerRule is the manufacturer's rule an item without its own follows,
// or nil.
func (s *serials) makerRule(ctx context.Context, item *domain.Item) (*domain.ManufacturerRule, error) {
	if item.SerialFormat != (domain.SerialFormat{}) || domain.ManufacturerKey(item.Manufacturer) == "" {
		return nil, nil
	}
	r, err := s.Store.GetManufacturerRule(ctx, item.Manufacturer)
	if errs.Is(err, errs.KindNotFound) {
		return nil, nil
	}
	return r, err
}
