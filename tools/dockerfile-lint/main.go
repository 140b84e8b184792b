// Command dockerfile-lint runs BuildKit's Dockerfile checks, the rules
// `docker build --check` reports (StageNameCasing, FromAsCasing,
// LegacyKeyValueFormat, JSONArgsRecommended, UndefinedVar, ...), without a
// Docker engine or a network: the checks are BuildKit's own Go code
// (frontend/dockerfile/dockerfile2llb.DockerfileLint), and base images are
// not looked up (see offlineResolver).
//
//	dockerfile-lint Dockerfile [more Dockerfiles]
//
// Every warning is printed as FILE:LINE: RULE: message, with the rule's
// documentation; the exit status is 1 when any file has a warning or does
// not parse, 2 on bad usage. `# check=skip=RULE` and
// `# check=error=true;experimental=all` directives in a Dockerfile are
// honoured as BuildKit honours them.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	"github.com/opencontainers/go-digest"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: dockerfile-lint Dockerfile [more Dockerfiles]")
		os.Exit(2)
	}
	failed := false
	for _, name := range os.Args[1:] {
		n, err := lintFile(context.Background(), name, os.Stdout)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
			failed = true
			continue
		}
		if n > 0 {
			failed = true
		}
	}
	if failed {
		os.Exit(1)
	}
}

// Problem is one finding: a rule's warning, or the error that stopped the
// Dockerfile from being read (Rule "BuildError").
type Problem struct {
	Line    int
	Rule    string
	Message string
	URL     string
}

func (p Problem) String() string {
	s := fmt.Sprintf("%d: %s: %s", p.Line, p.Rule, p.Message)
	if p.URL != "" {
		s += " (" + p.URL + ")"
	}
	return s
}

// lintFile prints the problems of the Dockerfile at name to w and returns
// how many there were.
func lintFile(ctx context.Context, name string, w io.Writer) (int, error) {
	dt, err := os.ReadFile(name)
	if err != nil {
		return 0, err
	}
	problems, err := Lint(ctx, name, dt)
	if err != nil {
		return 0, err
	}
	for _, p := range problems {
		fmt.Fprintf(w, "%s:%s\n", name, p)
	}
	return len(problems), nil
}

// Lint runs BuildKit's checks on the Dockerfile dt (named name in messages)
// over every stage, with the build arguments' defaults, and returns the
// problems ordered by line.
func Lint(ctx context.Context, name string, dt []byte) ([]Problem, error) {
	source := llb.NewSourceMap(nil, name, "Dockerfile", dt)
	source.Definition = &llb.Definition{} // no LLB: nothing is built
	res, err := dockerfile2llb.DockerfileLint(ctx, dt, dockerfile2llb.ConvertOpt{
		SourceMap:    source,
		MetaResolver: offlineResolver{},
	})
	if err != nil {
		return nil, err
	}
	var problems []Problem
	for _, warn := range res.Warnings {
		p := Problem{Rule: warn.RuleName, Message: warn.Detail, URL: warn.URL}
		if warn.Location != nil && len(warn.Location.Ranges) > 0 {
			p.Line = int(warn.Location.Ranges[0].GetStart().GetLine())
		}
		problems = append(problems, p)
	}
	if res.Error != nil {
		p := Problem{Rule: "BuildError", Message: res.Error.Message}
		if len(res.Error.Location.Ranges) > 0 {
			p.Line = int(res.Error.Location.Ranges[0].GetStart().GetLine())
		}
		problems = append(problems, p)
	}
	sort.SliceStable(problems, func(i, j int) bool { return problems[i].Line < problems[j].Line })
	return problems, nil
}

// offlineResolver stands in for the registry: every base image is taken to
// exist, for the platform asked, with one layer (so it is not scratch) and
// only PATH in its environment. So nothing is fetched; the one difference
// from `docker build --check` is that a variable that only a base image sets
// (GOPATH in golang, say) is reported by UndefinedVar here: declare it with
// ARG or ENV, or use the literal path.
type offlineResolver struct{}

func (offlineResolver) ResolveImageConfig(_ context.Context, ref string, opt sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	platform := struct{ OS, Architecture, Variant string }{"linux", runtime.GOARCH, ""}
	if opt.ImageOpt != nil && opt.ImageOpt.Platform != nil {
		platform.OS = opt.ImageOpt.Platform.OS
		platform.Architecture = opt.ImageOpt.Platform.Architecture
		platform.Variant = opt.ImageOpt.Platform.Variant
	}
	config, err := json.Marshal(map[string]any{
		"os":           platform.OS,
		"architecture": platform.Architecture,
		"variant":      platform.Variant,
		"config": map[string]any{
			"Env": []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
		},
		"rootfs": map[string]any{
			"type":     "layers",
			"diff_ids": []string{digest.FromString(ref).String()},
		},
	})
	if err != nil {
		return "", "", nil, err
	}
	return ref, "", config, nil
}
