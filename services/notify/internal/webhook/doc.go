// Package webhook delivers the deliveries the event consumer schedules:
// a dispatcher that claims due deliveries tenant by tenant, POSTs them
// signed to the subscribers' URLs with bounded concurrency, and records
// every attempt with its consequences (retry schedule, failure, disabling a
// subscription whose receiver keeps failing).
//
// The HTTP client it uses refuses to connect to loopback, private,
// link-local and other non-public addresses unless insecure targets are
// allowed (development only): the check runs on the address actually
// dialled, after name resolution, so a subscriber cannot reach the
// service's own network by pointing a name at it, even one that resolved
// elsewhere when the subscription was made (DNS rebinding).
package webhook
