// Command k8s-render prints an overlay under deploy/k8s as kustomize builds
// it (deploy/k8scheck.Render, so with the kustomize version deploy/go.mod
// pins): the multi-document YAML stream `kubectl apply -f -` takes.
// scripts/k8s-dry-run.sh applies its output to a throwaway API server.
package main

import (
	"fmt"
	"os"

	"github.com/ariesone/ariesone/deploy/k8scheck"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: k8s-render OVERLAY")
		os.Exit(2)
	}
	r, err := k8scheck.Render(os.Args[1])
	if err != nil {
		fmt.Fprintf(os.Stderr, "k8s-render: %v\n", err)
		os.Exit(1)
	}
	if _, err := os.Stdout.Write(r.YAML); err != nil {
		fmt.Fprintf(os.Stderr, "k8s-render: %v\n", err)
		os.Exit(1)
	}
}
