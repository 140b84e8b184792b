package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestValidDirectoryExitsZero(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"../../testdata/valid"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out.String(), errOut.String())
	}
	if !strings.Contains(out.String(), "12 valid, 0 invalid") {
		t.Errorf("summary: %s", out.String())
	}
}

func TestFailuresNameFileAndElement(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	bad := write("dr.json", `{"resourceType":"DeviceRequest","status":"active","intent":"maybe","codeCodeableConcept":{"text":"CPAP"},"subject":{"reference":"Patient/p"}}`)
	write("ok.json", `{"resourceType":"Patient","gender":"female","birthDate":"1948-03-14"}`)
	write("notes.txt", `not json, not read`)

	var out, errOut bytes.Buffer
	code := run([]string{dir}, &out, &errOut)
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s%s", code, out.String(), errOut.String())
	}
	if want := bad + ": DeviceRequest.intent: "; !strings.Contains(out.String(), want) {
		t.Errorf("output lacks %q:\n%s", want, out.String())
	}
	if !strings.Contains(out.String(), "2 file(s), 1 valid, 1 invalid") {
		t.Errorf("summary:\n%s", out.String())
	}
}

func TestUsageErrors(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(nil, &out, &errOut); code != 2 {
		t.Errorf("no arguments: exit %d, want 2", code)
	}
	if code := run([]string{filepath.Join(t.TempDir(), "missing.json")}, &out, &errOut); code != 2 {
		t.Errorf("missing file: exit %d, want 2", code)
	}
	if code := run([]string{t.TempDir()}, &out, &errOut); code != 2 {
		t.Errorf("directory without json: exit %d, want 2", code)
	}
}
