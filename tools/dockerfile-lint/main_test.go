package main

import (
	"context"
	"os"
	"slices"
	"testing"
)

func TestLintReportsRulesWithLines(t *testing.T) {
	bad := "from golang AS Build\n" +
		"ENV A 1\n" +
		"CMD echo hello\n"
	problems, err := Lint(context.Background(), "Dockerfile.bad", []byte(bad))
	if err != nil {
		t.Fatal(err)
	}
	want := []Problem{
		{Line: 1, Rule: "StageNameCasing"},
		{Line: 1, Rule: "FromAsCasing"},
		{Line: 1, Rule: "ConsistentInstructionCasing"},
		{Line: 2, Rule: "LegacyKeyValueFormat"},
		{Line: 3, Rule: "JSONArgsRecommended"},
	}
	for _, w := range want {
		if !slices.ContainsFunc(problems, func(p Problem) bool { return p.Line == w.Line && p.Rule == w.Rule }) {
			t.Errorf("no %s on line %d in %v", w.Rule, w.Line, problems)
		}
	}
	if len(problems) != len(want) {
		t.Errorf("got %d problems, want %d: %v", len(problems), len(want), problems)
	}
}

func TestLintUndefinedArgInFrom(t *testing.T) {
	problems, err := Lint(context.Background(), "Dockerfile", []byte("FROM golang:${GO_VERSION}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(problems, func(p Problem) bool { return p.Rule == "UndefinedArgInFrom" && p.Line == 1 }) {
		t.Errorf("no UndefinedArgInFrom on line 1 in %v", problems)
	}
}

func TestLintCleanDockerfile(t *testing.T) {
	good := "ARG SERVICE=serials\n" +
		"FROM golang:1.26.8-bookworm AS build\n" +
		"ENV A=1\n" +
		"RUN go version\n" +
		"FROM scratch AS serials\n" +
		"COPY --from=build /etc/passwd /etc/passwd\n" +
		"USER 65532:65532\n" +
		"ENTRYPOINT [\"/serials\"]\n" +
		"FROM ${SERVICE}\n"
	problems, err := Lint(context.Background(), "Dockerfile", []byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) != 0 {
		t.Errorf("problems in a clean Dockerfile: %v", problems)
	}
}

// The repository's own Dockerfile lints clean (make lint checks it too).
func TestLintRepositoryDockerfile(t *testing.T) {
	dt, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	problems, err := Lint(context.Background(), "Dockerfile", dt)
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) != 0 {
		t.Errorf("problems in the repository's Dockerfile: %v", problems)
	}
}

func TestLintUnparsable(t *testing.T) {
	problems, err := Lint(context.Background(), "Dockerfile", []byte("FROM scratch\nCOPY --from=nowhere\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) == 0 {
		t.Error("no problem reported for a COPY without a destination")
	}
}
