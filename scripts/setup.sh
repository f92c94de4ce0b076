#!/usr/bin/env bash
# Installs what Spokes needs outside npm, idempotently: a current nats-server (into .tools/bin) and, for the
# test suite, Debian's Postgres server. Safe to run again; does nothing when everything is in place.
#   scripts/setup.sh          everything the test suite needs
#   scripts/setup.sh nats     only nats-server (what `npm start` needs)
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

install_nats
if [ "$WHAT" = "all" ]; then
  install_postgres
fi
