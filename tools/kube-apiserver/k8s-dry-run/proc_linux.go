package main

import "syscall"

// sysProcAttr has etcd and kube-apiserver killed if this process dies
// without stopping them.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
