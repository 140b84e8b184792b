package usecase_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ariesone/ariesone/platform/keyring/keyringtest"
	"github.com/ariesone/ariesone/platform/usecase"
)

func TestFingerprint(t *testing.T) {
	ring := keyringtest.New(t)
	type req struct {
		Name string `json:"name"`
		SSN  string `json:"ssn"`
	}
	a, err := usecase.Fingerprint(ring, "clinical", "CreatePatient", req{"Ada", "123-45-6789"})
	if err != nil {
		t.Fatal(err)
	}
	same, _ := usecase.Fingerprint(ring, "clinical", "CreatePatient", req{"Ada", "123-45-6789"})
	other, _ := usecase.Fingerprint(ring, "clinical", "CreatePatient", req{"Ada", "123-45-6780"})
	otherMethod, _ := usecase.Fingerprint(ring, "clinical", "UpdatePatient", req{"Ada", "123-45-6789"})
	otherKey, _ := usecase.Fingerprint(keyringtest.New(t), "clinical", "CreatePatient", req{"Ada", "123-45-6789"})
	switch {
	case !bytes.Equal(a, same):
		t.Error("the same request gave another fingerprint")
	case bytes.Equal(a, other), bytes.Equal(a, otherMethod), bytes.Equal(a, otherKey):
		t.Error("another request, method or key gave the same fingerprint")
	case bytes.Contains(a, []byte("6789")):
		t.Error("the fingerprint holds the request in clear")
	}
	if _, err := usecase.Fingerprint(nil, "clinical", "CreatePatient", req{}); err == nil || !strings.Contains(err.Error(), "no key ring") {
		t.Errorf("no key ring: %v", err)
	}
	if _, err := usecase.Fingerprint(ring, "clinical", "CreatePatient", func() {}); err == nil {
		t.Error("a request JSON cannot encode was fingerprinted")
	}
}
