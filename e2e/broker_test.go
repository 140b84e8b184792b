package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"os/exec"
	"testing"
	"time"
)

// envAMQPURL names the broker tests use (a user allowed to manage virtual
// hosts); the default is the local development broker.
const envAMQPURL = "TEST_AMQP_URL"

const defaultAMQPURL = "amqp://guest:guest@127.0.0.1:5672/"

// rabbitmqctl returns the broker's control tool; the tests that create
// virtual hosts and restart the broker need it.
func rabbitmqctl(t testing.TB) string {
	t.Helper()
	ctl, err := exec.LookPath("rabbitmqctl")
	if err != nil {
		t.Fatalf("rabbitmqctl is needed to create the test's virtual host: %v", err)
	}
	return ctl
}

// ctl runs one rabbitmqctl command, failing the test when it fails.
func ctl(t testing.TB, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if out, err := exec.CommandContext(ctx, rabbitmqctl(t), args...).CombinedOutput(); err != nil {
		t.Fatalf("rabbitmqctl %v: %v\n%s", args, err, out)
	}
}

// newVhost creates a RabbitMQ virtual host for one test, so parallel meshes
// never share queues, and deletes it when the test ends. It returns the
// AMQP URL of the virtual host.
func newVhost(t testing.TB) string {
	t.Helper()
	base := os.Getenv(envAMQPURL)
	if base == "" {
		base = defaultAMQPURL
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", envAMQPURL, err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	vhost := "ariesone-test-" + hex.EncodeToString(b)
	user := u.User.Username()
	ctl(t, "add_vhost", vhost)
	t.Cleanup(func() { ctl(t, "delete_vhost", vhost) })
	ctl(t, "set_permissions", "-p", vhost, user, ".*", ".*", ".*")
	u.Path = "/" + vhost
	return u.String()
}

// restartBroker restarts the RabbitMQ application: every connection drops,
// durable queues and their persisted messages come back with it.
func restartBroker(t testing.TB) {
	t.Helper()
	ctl(t, "stop_app")
	ctl(t, "start_app")
	ctl(t, "await_startup")
}
