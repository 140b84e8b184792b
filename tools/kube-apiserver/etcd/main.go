// Command etcd is etcd's own server (go.etcd.io/etcd/server/v3 at the version
// k8s.io/kubernetes requires), built from the Go module proxy for
// scripts/k8s-dry-run.sh, which starts it as the storage of a throwaway
// kube-apiserver.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
