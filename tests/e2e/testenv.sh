#!/usr/bin/env bash
# Real-server test environment for kclm: builds (once, cached) kube-apiserver and
# etcd from Go modules, starts them on 127.0.0.1 random ports with an own CA,
# installs the Cluster-API / CAPMS / Kamaji CRDs from ../shared/reference/crds,
# writes a kubeconfig with an admin and a limited user, runs the given command
# with KCLM_E2E_KUBECONFIG set, and stops everything on exit, even on failure.
#
#   tests/e2e/testenv.sh cargo test --test contract
#
# Needs Go >= 1.26 (module proxy reachable), openssl, curl, python3, kubectl.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
REF=${KCLM_REFERENCE:-$ROOT/../shared/reference}
K8S_VERSION=v1.36.3
ETCD_VERSION=v3.6.8
BIN=${KCLM_E2E_BIN:-$ROOT/target/e2e-bin/k8s-$K8S_VERSION-etcd-$ETCD_VERSION}
export GOWORK=off GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod
t0=$(date +%s)
say() { echo "--- [testenv $(( $(date +%s) - t0 ))s] $*"; }

build() {
  mkdir -p "$BIN"
  if [ ! -x "$BIN/kube-apiserver" ]; then
    say "building kube-apiserver $K8S_VERSION (cold: ~15-25 min on 2 cores)"
    local ld="-s -w" p minor=${K8S_VERSION#v1.}
    minor=${minor%%.*}
    for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
      ld+=" -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
    done
    (cd "$HERE/kube-apiserver" && go build -trimpath -tags selinux,notest -ldflags "$ld" -o "$BIN/kube-apiserver.tmp" .)
    mv "$BIN/kube-apiserver.tmp" "$BIN/kube-apiserver"
  fi
  if [ ! -x "$BIN/etcd" ]; then
    say "building etcd $ETCD_VERSION"
    (cd "$HERE/etcd" && go build -trimpath -ldflags "-s -w" -o "$BIN/etcd.tmp" .)
    mv "$BIN/etcd.tmp" "$BIN/etcd"
  fi
  say "binaries ready in $BIN"
}

RUN=$(mktemp -d -t kclm-e2e.XXXXXX)
PIDS=()
cleanup() {
  local code=$?
  # Stop in reverse start order (apiserver before etcd); bounded, then SIGKILL,
  # so nothing is left running even if a process ignores TERM.
  local i p
  for (( i=${#PIDS[@]}-1; i>=0; i-- )); do
    p=${PIDS[$i]}
    kill "$p" 2>/dev/null || continue
    for _ in $(seq 20); do kill -0 "$p" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  if [ "$code" -ne 0 ]; then
    for f in "$RUN"/*.log; do [ -f "$f" ] && { echo "=== tail $f"; tail -n 30 "$f"; }; done
  fi
  rm -rf "$RUN"
  exit "$code"
}
trap cleanup EXIT INT TERM

freeport() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
wait_for() { local n=$1; shift; for _ in $(seq "$n"); do "$@" >/dev/null 2>&1 && return 0; sleep 0.5; done; echo "timeout: $*" >&2; return 1; }

pki() {
  local d=$RUN/pki
  mkdir -p "$d"
  cat > "$d/ext.cnf" <<'CNF'
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign,digitalSignature
subjectKeyIdentifier = hash
[server]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
authorityKeyIdentifier = keyid
[client]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = clientAuth
authorityKeyIdentifier = keyid
CNF
  (
    cd "$d"
    ec() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
    ec ca.key
    openssl req -new -key ca.key -subj "/CN=kclm-e2e-ca" -out ca.csr 2>/dev/null
    openssl x509 -req -in ca.csr -signkey ca.key -days 30 -sha256 -extfile ext.cnf -extensions ca -out ca.crt 2>/dev/null
    sign() {
      ec "$1.key"
      openssl req -new -key "$1.key" -subj "$2" -out "$1.csr" 2>/dev/null
      openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 -sha256 \
        -extfile ext.cnf -extensions "$3" -out "$1.crt" 2>/dev/null
    }
    sign apiserver "/CN=kube-apiserver" server
    sign admin "/O=system:masters/CN=kclm-e2e-admin" client
    # A limited user: read-only on everything via the built-in `view` role (bound below).
    sign viewer "/O=kclm-viewers/CN=kclm-e2e-viewer" client
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out sa.key 2>/dev/null
    openssl pkey -in sa.key -pubout -out sa.pub 2>/dev/null
  )
}

start() {
  local ep pp ap
  ep=$(freeport); pp=$(freeport); ap=$(freeport)
  echo "$ep" > "$RUN/etcd.port"
  "$BIN/etcd" --name kclm --data-dir "$RUN/etcd" \
    --listen-client-urls "http://127.0.0.1:$ep" --advertise-client-urls "http://127.0.0.1:$ep" \
    --listen-peer-urls "http://127.0.0.1:$pp" --initial-advertise-peer-urls "http://127.0.0.1:$pp" \
    --initial-cluster "kclm=http://127.0.0.1:$pp" --initial-cluster-state new \
    --unsafe-no-fsync --log-level warn >"$RUN/etcd.log" 2>&1 &
  PIDS+=($!)
  wait_for 60 curl -fsS "http://127.0.0.1:$ep/health"
  say "etcd up on $ep"
  local pki=$RUN/pki
  "$BIN/kube-apiserver" \
    --etcd-servers="http://127.0.0.1:$ep" \
    --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$ap" \
    --tls-cert-file="$pki/apiserver.crt" --tls-private-key-file="$pki/apiserver.key" \
    --client-ca-file="$pki/ca.crt" \
    --service-account-issuer="https://127.0.0.1:$ap" \
    --service-account-key-file="$pki/sa.pub" --service-account-signing-key-file="$pki/sa.key" \
    --service-cluster-ip-range=10.0.0.0/24 \
    --authorization-mode=RBAC --allow-privileged=true \
    --disable-admission-plugins=ServiceAccount \
    --endpoint-reconciler-type=none \
    >"$RUN/kube-apiserver.log" 2>&1 &
  PIDS+=($!)
  wait_for 240 curl -fsS --cacert "$pki/ca.crt" --cert "$pki/admin.crt" --key "$pki/admin.key" \
    "https://127.0.0.1:$ap/readyz"
  say "kube-apiserver up on $ap"
  local b64
  b64() { base64 -w0 "$1"; }
  cat > "$RUN/kubeconfig" <<KC
apiVersion: v1
kind: Config
clusters:
- name: e2e
  cluster:
    server: https://127.0.0.1:$ap
    certificate-authority-data: $(b64 "$pki/ca.crt")
users:
- name: admin
  user:
    client-certificate-data: $(b64 "$pki/admin.crt")
    client-key-data: $(b64 "$pki/admin.key")
- name: viewer
  user:
    client-certificate-data: $(b64 "$pki/viewer.crt")
    client-key-data: $(b64 "$pki/viewer.key")
contexts:
- name: e2e-admin
  context: {cluster: e2e, user: admin}
- name: e2e-viewer
  context: {cluster: e2e, user: viewer}
current-context: e2e-admin
KC
}

install_crds() {
  local k=(kubectl --kubeconfig "$RUN/kubeconfig" --context e2e-admin)
  local crds=$RUN/crds
  mkdir -p "$crds"
  python3 "$HERE/prepare_crds.py" "$REF/crds" "$crds"
  "${k[@]}" apply --server-side --field-manager=kclm-e2e -f "$crds" >/dev/null
  "${k[@]}" wait --for=condition=Established --timeout=120s crd --all >/dev/null
  "${k[@]}" create clusterrolebinding kclm-viewers --clusterrole=view --group=kclm-viewers >/dev/null
  # The `view` role does not cover CRD kinds; grant read on the CAPI/Kamaji groups.
  "${k[@]}" create clusterrole kclm-capi-view --verb=get,list,watch \
    --resource='clusters.cluster.x-k8s.io,machines.cluster.x-k8s.io,machinedeployments.cluster.x-k8s.io,kubeadmcontrolplanes.controlplane.cluster.x-k8s.io,metalstackclusters.infrastructure.cluster.x-k8s.io,metalstackmachines.infrastructure.cluster.x-k8s.io,tenantcontrolplanes.kamaji.clastix.io' >/dev/null
  "${k[@]}" create clusterrolebinding kclm-capi-view --clusterrole=kclm-capi-view --group=kclm-viewers >/dev/null
  say "CRDs installed: $(ls "$crds" | wc -l)"
}

build
pki
start
install_crds
export KCLM_E2E_KUBECONFIG=$RUN/kubeconfig
export KCLM_E2E_ETCD=http://127.0.0.1:$(cat "$RUN/etcd.port")
say "running: $*"
"$@"
