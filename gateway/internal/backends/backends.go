// Package backends connects the gateway to the AriesOne services over gRPC
// and puts their REST bindings on the mux. Handlers are always registered
// against a client connection (Register...Handler(ctx, mux, conn)), never
// in-process, so every REST call passes the service's own interceptor chain
// (authentication, authorization, rate limits, validation, audit).
package backends

import (
	"context"
	"errors"
	"fmt"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/ariesone/ariesone/gateway/internal/restmux"
	clinicalv1 "github.com/ariesone/ariesone/gen/go/ariesone/clinical/v1"
	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
	notifyv1 "github.com/ariesone/ariesone/gen/go/ariesone/notify/v1"
	ordersv1 "github.com/ariesone/ariesone/gen/go/ariesone/orders/v1"
	serialsv1 "github.com/ariesone/ariesone/gen/go/ariesone/serials/v1"
	"github.com/ariesone/ariesone/platform/peer"
)

// Spec describes one service the gateway can reach.
type Spec struct {
	// Name identifies the service in readiness reports and logs.
	Name string
	// AddrEnv is the environment variable holding its host:port.
	AddrEnv string
	// DefaultAddr is used when AddrEnv is unset; empty means the service is
	// optional and not dialled unless configured.
	DefaultAddr string
	// Services are the gRPC services with HTTP bindings the gateway serves
	// for it.
	Services []protoreflect.ServiceDescriptor
	// Register puts those bindings on the mux; nil while the service has
	// none.
	Register func(ctx context.Context, mux *runtime.ServeMux, conn *grpc.ClientConn) error
}

// Company is the identity service: tenants, locations, users, API keys and
// sign-in.
var Company = Spec{
	Name:        "company",
	AddrEnv:     "COMPANY_ADDR",
	DefaultAddr: "127.0.0.1:8081",
	Services: []protoreflect.ServiceDescriptor{
		companyv1.File_ariesone_company_v1_auth_proto.Services().ByName("AuthService"),
		companyv1.File_ariesone_company_v1_company_proto.Services().ByName("CompanyService"),
		companyv1.File_ariesone_company_v1_location_proto.Services().ByName("LocationService"),
		companyv1.File_ariesone_company_v1_user_proto.Services().ByName("UserService"),
		companyv1.File_ariesone_company_v1_api_key_proto.Services().ByName("ApiKeyService"),
	},
	Register: func(ctx context.Context, mux *runtime.ServeMux, conn *grpc.ClientConn) error {
		return errors.Join(
			companyv1.RegisterAuthServiceHandler(ctx, mux, conn),
			companyv1.RegisterCompanyServiceHandler(ctx, mux, conn),
			companyv1.RegisterLocationServiceHandler(ctx, mux, conn),
			companyv1.RegisterUserServiceHandler(ctx, mux, conn),
			companyv1.RegisterApiKeyServiceHandler(ctx, mux, conn),
		)
	},
}

// Notify holds the audit trail, notifications, webhooks and the event
// stream. It is optional: without NOTIFY_ADDR those routes answer 404.
var Notify = Spec{
	Name:    "notify",
	AddrEnv: "NOTIFY_ADDR",
	Services: []protoreflect.ServiceDescriptor{
		notifyv1.File_ariesone_notify_v1_audit_proto.Services().ByName("AuditService"),
		notifyv1.File_ariesone_notify_v1_notification_proto.Services().ByName("NotificationService"),
		notifyv1.File_ariesone_notify_v1_webhook_proto.Services().ByName("WebhookService"),
		notifyv1.File_ariesone_notify_v1_event_proto.Services().ByName("EventService"),
	},
	Register: func(ctx context.Context, mux *runtime.ServeMux, conn *grpc.ClientConn) error {
		return errors.Join(
			notifyv1.RegisterAuditServiceHandler(ctx, mux, conn),
			notifyv1.RegisterNotificationServiceHandler(ctx, mux, conn),
			notifyv1.RegisterWebhookServiceHandler(ctx, mux, conn),
			notifyv1.RegisterEventServiceHandler(ctx, mux, conn),
		)
	},
}

// Clinical holds patients, payers and plans, coverages and eligibility,
// prescribers, written orders and billing readiness. It is optional: without
// CLINICAL_ADDR those routes answer 404.
var Clinical = Spec{
	Name:    "clinical",
	AddrEnv: "CLINICAL_ADDR",
	Services: []protoreflect.ServiceDescriptor{
		clinicalv1.File_ariesone_clinical_v1_patient_proto.Services().ByName("PatientService"),
		clinicalv1.File_ariesone_clinical_v1_payer_proto.Services().ByName("PayerService"),
		clinicalv1.File_ariesone_clinical_v1_coverage_proto.Services().ByName("CoverageService"),
		clinicalv1.File_ariesone_clinical_v1_prescriber_proto.Services().ByName("PrescriberService"),
		clinicalv1.File_ariesone_clinical_v1_written_order_proto.Services().ByName("WrittenOrderService"),
		clinicalv1.File_ariesone_clinical_v1_readiness_proto.Services().ByName("ReadinessService"),
	},
	Register: func(ctx context.Context, mux *runtime.ServeMux, conn *grpc.ClientConn) error {
		return errors.Join(
			clinicalv1.RegisterPatientServiceHandler(ctx, mux, conn),
			clinicalv1.RegisterPayerServiceHandler(ctx, mux, conn),
			clinicalv1.RegisterCoverageServiceHandler(ctx, mux, conn),
			clinicalv1.RegisterPrescriberServiceHandler(ctx, mux, conn),
			clinicalv1.RegisterWrittenOrderServiceHandler(ctx, mux, conn),
			clinicalv1.RegisterReadinessServiceHandler(ctx, mux, conn),
		)
	},
}

// Serials holds the item master, units and their transactions, serial
// validation, stock, recalls, maintenance and device usage. It is
// optional: without SERIALS_ADDR those routes answer 404.
var Serials = Spec{
	Name:    "serials",
	AddrEnv: "SERIALS_ADDR",
	Services: []protoreflect.ServiceDescriptor{
		serialsv1.File_ariesone_serials_v1_item_proto.Services().ByName("ItemService"),
		serialsv1.File_ariesone_serials_v1_unit_proto.Services().ByName("UnitService"),
		serialsv1.File_ariesone_serials_v1_stock_proto.Services().ByName("StockService"),
		serialsv1.File_ariesone_serials_v1_recall_proto.Services().ByName("RecallService"),
		serialsv1.File_ariesone_serials_v1_maintenance_proto.Services().ByName("MaintenanceService"),
		serialsv1.File_ariesone_serials_v1_usage_proto.Services().ByName("UsageService"),
	},
	Register: func(ctx context.Context, mux *runtime.ServeMux, conn *grpc.ClientConn) error {
		return errors.Join(
			serialsv1.RegisterItemServiceHandler(ctx, mux, conn),
			serialsv1.RegisterUnitServiceHandler(ctx, mux, conn),
			serialsv1.RegisterStockServiceHandler(ctx, mux, conn),
			serialsv1.RegisterRecallServiceHandler(ctx, mux, conn),
			serialsv1.RegisterMaintenanceServiceHandler(ctx, mux, conn),
			serialsv1.RegisterUsageServiceHandler(ctx, mux, conn),
		)
	},
}

// Orders holds price lists and orders through their workflow, with their
// deliveries and pickups. It is optional: without ORDERS_ADDR those routes
// answer 404.
var Orders = Spec{
	Name:    "orders",
	AddrEnv: "ORDERS_ADDR",
	Services: []protoreflect.ServiceDescriptor{
		ordersv1.File_ariesone_orders_v1_price_list_proto.Services().ByName("PriceListService"),
		ordersv1.File_ariesone_orders_v1_order_proto.Services().ByName("OrderService"),
		ordersv1.File_ariesone_orders_v1_claim_proto.Services().ByName("ClaimService"),
		ordersv1.File_ariesone_orders_v1_resupply_proto.Services().ByName("ResupplyService"),
	},
	Register: func(ctx context.Context, mux *runtime.ServeMux, conn *grpc.ClientConn) error {
		return errors.Join(
			ordersv1.RegisterPriceListServiceHandler(ctx, mux, conn),
			ordersv1.RegisterOrderServiceHandler(ctx, mux, conn),
			ordersv1.RegisterClaimServiceHandler(ctx, mux, conn),
			ordersv1.RegisterResupplyServiceHandler(ctx, mux, conn),
		)
	},
}

// All lists every service the gateway knows, company first.
var All = []Spec{Company, Clinical, Orders, Serials, Notify}

// Backend is a dialled service.
type Backend struct {
	Spec
	Addr string
	Conn *grpc.ClientConn
}

// Health returns the service's grpc.health.v1 client.
func (b Backend) Health() healthpb.HealthClient { return healthpb.NewHealthClient(b.Conn) }

// Set is every dialled service.
type Set struct {
	list []Backend
}

// Dial creates a client connection for each spec with an address in addrs
// (keyed by Spec.Name): one host:port, or several joined by commas, the
// replicas calls are spread over (peer.Target, peer.ServiceConfig: reads
// are retried on another replica when one answers UNAVAILABLE). grpc.NewClient connects lazily, so a service that is
// down at start does not stop the gateway; readiness reports it instead.
//
// Connections are plaintext: inside the cluster, transport security is the
// service mesh's or the network policy's job. Server streams refused by a
// service fail before the mux answers them (restmux.StreamClientInterceptor).
// extra options are appended (tests add their own).
func Dial(specs []Spec, addrs map[string]string, extra ...grpc.DialOption) (*Set, error) {
	opts := append([]grpc.DialOption{
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultServiceConfig(peer.ServiceConfig()),
		grpc.WithUserAgent("ariesone-gateway"),
		grpc.WithChainStreamInterceptor(restmux.StreamClientInterceptor),
	}, extra...)
	s := &Set{}
	for _, spec := range specs {
		addr := addrs[spec.Name]
		if addr == "" {
			continue
		}
		target, resolve := peer.Target(addr)
		conn, err := grpc.NewClient(target, append(resolve, opts...)...)
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("backends: %s at %s: %w", spec.Name, addr, err)
		}
		s.list = append(s.list, Backend{Spec: spec, Addr: addr, Conn: conn})
	}
	return s, nil
}

// Register puts every dialled service's HTTP bindings on mux.
func (s *Set) Register(ctx context.Context, mux *runtime.ServeMux) error {
	for _, b := range s.list {
		if b.Register == nil {
			continue
		}
		if err := b.Register(ctx, mux, b.Conn); err != nil {
			return fmt.Errorf("backends: registering %s: %w", b.Name, err)
		}
	}
	return nil
}

// Services returns the gRPC services with HTTP bindings of every dialled
// service.
func (s *Set) Services() []protoreflect.ServiceDescriptor {
	var out []protoreflect.ServiceDescriptor
	for _, b := range s.list {
		if b.Register != nil {
			out = append(out, b.Services...)
		}
	}
	return out
}

// Get returns the dialled service called name.
func (s *Set) Get(name string) (Backend, bool) {
	for _, b := range s.list {
		if b.Name == name {
			return b, true
		}
	}
	return Backend{}, false
}

// List returns every dialled service, in the order of the specs.
func (s *Set) List() []Backend { return append([]Backend(nil), s.list...) }

// Close closes every connection.
func (s *Set) Close() error {
	var errs []error
	for _, b := range s.list {
		errs = append(errs, b.Conn.Close())
	}
	return errors.Join(errs...)
}
