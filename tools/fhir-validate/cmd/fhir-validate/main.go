// Command fhir-validate checks FHIR R4 JSON resources against the official R4
// definitions, offline.
//
//	fhir-validate FILE_OR_DIR...
//
// Every *.json file given, or found under a directory given (recursively), is
// validated. Each failure is printed as "FILE: ELEMENT.PATH: message". The
// exit status is 1 when any file fails, 2 on a usage or read error.
package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	fhirvalidate "github.com/ariesone/ariesone/tools/fhir-validate"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(stderr, "usage: fhir-validate FILE_OR_DIR...  (validates every *.json as a FHIR R4 resource)")
		return 2
	}
	var files []string
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 2
		}
		if !st.IsDir() {
			files = append(files, a)
			continue
		}
		err = filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.HasSuffix(p, ".json") {
				files = append(files, p)
			}
			return nil
		})
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 2
		}
	}
	sort.Strings(files)
	if len(files) == 0 {
		fmt.Fprintln(stderr, "fhir-validate: no *.json file found in", strings.Join(args, " "))
		return 2
	}

	failed := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 2
		}
		err = fhirvalidate.Validate(data)
		if err == nil {
			continue
		}
		failed++
		var verr *fhirvalidate.Error
		if errors.As(err, &verr) {
			for _, is := range verr.Issues {
				fmt.Fprintf(stdout, "%s: %s\n", f, is)
			}
		} else {
			fmt.Fprintf(stdout, "%s: %v\n", f, err)
		}
	}
	fmt.Fprintf(stdout, "fhir-validate: %d file(s), %d valid, %d invalid\n", len(files), len(files)-failed, failed)
	if failed > 0 {
		return 1
	}
	return 0
}
