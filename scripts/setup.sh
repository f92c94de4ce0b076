#!/usr/bin/env bash
# Installs what Spokes needs outside npm, idempotently: a current nats-server (into .tools/bin) and, for the
# test suite, Debian's Postgres server. Safe to run again; does nothing when everything is in place.
#   scripts/setup.sh          everything the test suite needs
#   scripts/setup.sh nats     only nats-server (what `npm start` needs)
#   scripts/setup.sh k6       only k6 (what `npm run load` needs besides the test services)
#   scripts/setup.sh k6-mqtt  also try a k6 build with the xk6-mqtt extension (.tools/bin/k6-mqtt); optional
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools/bin"
NATS_VERSION="v2.14.5"
WHAT="${1:-all}"

say() { printf 'setup: %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    say "need root for: $*"; return 1
  fi
}

APT_UPDATED=""
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ -z "$APT_UPDATED" ]; then as_root apt-get update -qq; APT_UPDATED=1; fi
  say "installing Debian packages: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

install_nats() {
  if [ -x "$TOOLS/nats-server" ] && "$TOOLS/nats-server" --version 2>/dev/null | grep -q "${NATS_VERSION}"; then
    return 0
  fi
  mkdir -p "$TOOLS"
  if command -v go >/dev/null; then
    say "installing nats-server ${NATS_VERSION} with go install (a minute or two the first time)"
    if GOBIN="$TOOLS" GOFLAGS=-mod=mod go install "github.com/nats-io/nats-server/v2@${NATS_VERSION}"; then
      return 0
    fi
    say "go install of nats-server failed"
  fi
  say "falling back to Debian's nats-server package; it is older than Spokes needs and the hub will say so"
  apt_install nats-server
  ln -sf "$(command -v nats-server)" "$TOOLS/nats-server"
}

install_postgres() {
  if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then return 0; fi
  apt_install postgresql
  # The test harness runs its own clusters in temporary folders; the packaged cluster is not needed.
  if command -v pg_lsclusters >/dev/null && pg_lsclusters -h 2>/dev/null | grep -q online; then
    as_root systemctl disable --now postgresql >/dev/null 2>&1 || true
  fi
}

# Protocol peers the tests talk to, none of them ours: mosquitto (a plain broker, the MQTT baseline) and its
# clients, libcoap's coap-client, and Java for Eclipse Leshan.
install_peers() {
  apt_install mosquitto mosquitto-clients libcoap3-bin
  # Debian starts a mosquitto service on port 1883; the tests run their own brokers on free ports.
  if command -v systemctl >/dev/null && systemctl is-active --quiet mosquitto 2>/dev/null; then
    as_root systemctl disable --now mosquitto >/dev/null 2>&1 || true
  fi
  command -v java >/dev/null || apt_install openjdk-17-jre-headless
}

# LwM2M peers: Eclipse Leshan's client and server libraries from Maven Central, each behind a small launcher in
# test/peers/<name>/ (a Maven project), built into .tools/peers/<name>.jar when its sources or the sources they
# share in test/peers/leshan-common/ change.
PEERS_DIR="$ROOT/.tools/peers"
install_java_peers() {
  local pom dir name jar stamp
  for pom in "$ROOT"/test/peers/*/pom.xml; do
    [ -e "$pom" ] || continue
    dir="$(dirname "$pom")"; name="$(basename "$dir")"; jar="$PEERS_DIR/$name.jar"
    stamp="$(find "$dir" "$ROOT/test/peers/leshan-common" -type f \( -name '*.java' -o -name pom.xml \) -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)"
    [ -s "$jar" ] && [ "$(cat "$jar.stamp" 2>/dev/null)" = "$stamp" ] && continue
    command -v mvn >/dev/null || apt_install maven
    say "building the $name peer with Maven (downloads its libraries the first time)"
    mkdir -p "$PEERS_DIR"
    mvn -q -B -f "$pom" -DskipTests package >&2
    cp "$dir/target/$name.jar" "$jar"
    echo "$stamp" >"$jar.stamp"
  done
}

# k6 for the load tests (load-tests/), built from source with Go into .tools/bin. k6 runs with
# K6_AUTO_EXTENSION_RESOLUTION=false everywhere here: it never fetches extensions by itself.
K6_VERSION="v2.2.0"
export K6_AUTO_EXTENSION_RESOLUTION=false
install_k6() {
  if [ -x "$TOOLS/k6" ] && "$TOOLS/k6" version 2>/dev/null | grep -q "k6 ${K6_VERSION} "; then return 0; fi
  command -v go >/dev/null || { say "Go is needed to build k6 for the load tests"; return 1; }
  mkdir -p "$TOOLS"
  say "installing k6 ${K6_VERSION} with go install (a few minutes the first time)"
  if GOBIN="$TOOLS" GOFLAGS=-mod=mod go install "go.k6.io/k6/v2@${K6_VERSION}"; then return 0; fi
  # `go install pkg@version` also looks up the module's version list (for deprecations); a module proxy that serves
  # the version but not the list fails it. Building inside a throwaway module needs only the version itself.
  say "go install failed; building k6 ${K6_VERSION} inside a temporary module"
  local tmp
  tmp="$(mktemp -d)"
  printf 'module spokes.local/k6\n\ngo 1.25\n\nrequire go.k6.io/k6/v2 %s\n' "$K6_VERSION" >"$tmp/go.mod"
  if (cd "$tmp" && GOFLAGS=-mod=mod go build -o "$TOOLS/k6" go.k6.io/k6/v2); then rm -rf "$tmp"; return 0; fi
  rm -rf "$tmp"
  return 1
}

# Optional: k6 with the MQTT extension, built by xk6 from pinned versions. Only on request (`setup.sh k6-mqtt`);
# the load tests do not need it (their MQTT scenario speaks MQTT over WebSocket with stock k6).
XK6_MQTT="github.com/grafana/xk6-mqtt@v0.3.0"
install_k6_mqtt() {
  if [ -x "$TOOLS/k6-mqtt" ] && "$TOOLS/k6-mqtt" version 2>/dev/null | grep -q "k6 ${K6_VERSION} "; then return 0; fi
  command -v go >/dev/null || { say "Go is needed to build k6 with xk6"; return 1; }
  if [ ! -x "$TOOLS/xk6" ]; then
    GOBIN="$TOOLS" GOFLAGS=-mod=mod go install go.k6.io/xk6/cmd/xk6@v1.4.3 || { say "xk6 could not be installed"; return 1; }
  fi
  (cd "$TOOLS" && K6_AUTO_EXTENSION_RESOLUTION=false "$TOOLS/xk6" build "$K6_VERSION" --with "$XK6_MQTT" --output "$TOOLS/k6-mqtt") ||
    { say "the k6 build with $XK6_MQTT failed; the MQTT scenario runs over WebSocket with stock k6"; return 1; }
}

if [ "$WHAT" = "k6" ]; then install_k6; exit $?; fi
if [ "$WHAT" = "k6-mqtt" ]; then install_k6 && install_k6_mqtt; exit $?; fi

install_nats
if [ "$WHAT" = "all" ]; then
  # The load-test smoke run in the test suite needs k6; without Go it fails with a message naming this script.
  install_k6 || say "k6 is not installed: the load tests cannot run (needs Go; see docs/how-to/load-test.md)"
  install_postgres
  install_peers
  install_java_peers
fi
