#!/usr/bin/env bash
# Installs the Debian packages the e2e suite runs against (real Graphite,
# Prometheus, VictoriaMetrics, carbon-c-relay, python3-statsd, chromium for the status page).
# Run as `pretest`; idempotent. The tests start these programs themselves: the services the
# packages bring are neither started now nor left enabled for the machine's next boot.
#
# Never fails the test run: when it cannot install (not root, no apt-get,
# no network), it warns loudly and exits 0, and the e2e tests that need the
# missing programs skip themselves with their own warning.
set -u

PACKAGES=(graphite-carbon graphite-web python3-statsd prometheus victoria-metrics carbon-c-relay systemd chromium)

missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
  [ "$status" = installed ] || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

warn() {
  {
    echo
    echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
    echo "!! install-test-deps: could not install: ${missing[*]}"
    echo "!! reason: $1"
    echo "!! e2e tests against real Graphite (carbon-cache, graphite-web), Prometheus, VictoriaMetrics,"
    echo "!! carbon-c-relay, python3-statsd clients and the status page in chromium WILL BE SKIPPED."
    echo "!! To run them: sudo apt-get install ${missing[*]}"
    echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
    echo
  } >&2
  exit 0
}

[ "$(id -u)" -eq 0 ] || warn "not running as root"
command -v apt-get >/dev/null 2>&1 || warn "apt-get not found (not Debian/Ubuntu?)"

echo "install-test-deps: installing ${missing[*]} (apt-get, up to ~10 min)..."

# Keep package scripts from starting carbon-cache / prometheus services: a
# policy-rc.d that answers 101 ("action forbidden") makes invoke-rc.d a
# no-op. Only add ours if none exists, and remove only ours afterwards.
POLICY=/usr/sbin/policy-rc.d
own_policy=0
if [ ! -e "$POLICY" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$POLICY" && chmod 755 "$POLICY" && own_policy=1
fi
cleanup() { if [ "$own_policy" -eq 1 ]; then rm -f "$POLICY"; fi; }
trap cleanup EXIT

log=$(mktemp)
export DEBIAN_FRONTEND=noninteractive
# --no-install-recommends: graphite-web/carbon need nothing from recommends;
# they would pull in prometheus-node-exporter (another service) and a GTK stack.
# A failed update is not fatal: the lists may already be fresh enough.
timeout 300 apt-get update -q >"$log" 2>&1 || echo "install-test-deps: apt-get update failed, trying anyway" >&2
if ! timeout 600 apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=120 \
  "${missing[@]}" >"$log" 2>&1; then
  tail -n 10 "$log" >&2
  rm -f "$log"
  warn "apt-get install failed"
fi
rm -f "$log"

# The packages' scripts enable their services for the next boot (policy-rc.d only kept them from
# starting now). Disable what the packages installed here brought — not systemd's own units, and
# nothing of a package that was installed before.
for pkg in "${missing[@]}"; do
  [ "$pkg" = systemd ] && continue
  for unit in $(dpkg -L "$pkg" 2>/dev/null | sed -n 's#^/\(usr/\)\{0,1\}lib/systemd/system/\([^/]*\.\(service\|socket\|timer\)\)$#\2#p'); do
    if [ "$(systemctl is-enabled "$unit" 2>/dev/null)" = enabled ]; then
      systemctl disable --quiet "$unit" 2>/dev/null && echo "install-test-deps: disabled $unit at boot (the tests run their own)"
    fi
  done
done
echo "install-test-deps: done."
