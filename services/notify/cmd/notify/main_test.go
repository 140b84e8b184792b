package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/reflect/protoregistry"
)

// protoRoot is the repository's proto directory, relative to this
// package's directory.
var protoRoot = filepath.Join("..", "..", "..", "..", "proto")

// TestEveryEventProtoIsLinkedIn proves the notify binary knows every event
// message of the mesh: a proto file declaring an event rule that this
// binary does not link in would have its events logged undecoded, located
// nowhere and delivered to nobody. The check runs in this package because
// its tests import no event package themselves.
func TestEveryEventProtoIsLinkedIn(t *testing.T) {
	found := 0
	err := filepath.WalkDir(protoRoot, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".proto") {
			return err
		}
		rel, err := filepath.Rel(protoRoot, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if strings.HasPrefix(rel, "ariesone/testing/") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if !bytes.Contains(src, []byte("(ariesone.auth.v1.event) =")) {
			return nil
		}
		found++
		if _, err := protoregistry.GlobalFiles.FindFileByPath(rel); err != nil {
			t.Errorf("%s declares events, but notify does not link in its generated package", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found == 0 {
		t.Fatalf("no proto under %s declares an event", protoRoot)
	}
}
