// Command etcd is the upstream etcd server, built from go.etcd.io modules for
// kclm's end-to-end tests (the version kube-apiserver's module graph pins).
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
