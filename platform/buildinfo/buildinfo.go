// Package buildinfo says which build a binary is: the version stamped at
// link time (-ldflags "-X github.com/ariesone/ariesone/platform/buildinfo.version=v1.4.0"),
// else the commit the Go toolchain recorded, else "devel". Every binary
// answers --version with it, so an operator can tell what an image runs
// without starting it against a database.
package buildinfo

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// version is set by the linker; empty in a plain `go build`.
var version string

// Version is the build's version.
func Version() string {
	if version != "" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	var revision, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if revision == "" {
		return "devel"
	}
	if len(revision) > 12 {
		revision = revision[:12]
	}
	if modified == "true" {
		revision += "-dirty"
	}
	return "devel-" + revision
}

// String is the line --version prints: the program, its version and the Go
// release it was built with.
func String(program string) string {
	return fmt.Sprintf("%s %s (%s)", program, Version(), runtime.Version())
}

// Answer prints String(program) to out and reports true when args (the
// command line after the program name) asks for the version, so a main can
// return before reading any configuration.
func Answer(program string, args []string, out io.Writer) bool {
	if len(args) != 1 || (args[0] != "--version" && args[0] != "-version" && args[0] != "version") {
		return false
	}
	fmt.Fprintln(out, String(program))
	return true
}
