#!/usr/bin/env bash
# Installs what quorum needs and this machine lacks: Debian packages (only the missing ones)
# and the npm packages (only when package-lock.json changed since the last install).
set -euo pipefail
cd "$(dirname "$0")/.."

# binary -> Debian package
declare -A PACKAGE_OF=(
  [redis-server]=redis-server
  [redis-sentinel]=redis-sentinel
  [redis-cli]=redis-tools
  [setpriv]=util-linux
  # up --tls makes its CA and certificates with openssl
  [openssl]=openssl
  # the proxy's byte relay (native/*.c) is compiled at build time
  [cc]=gcc
)

# --browser: also what the tests and benchmarks compare with or drive (HAProxy, Chromium,
# Prometheus with promtool, redis_exporter) and what the lab network uses (iproute2, nftables)
if [ "${1:-}" = "--browser" ]; then
  PACKAGE_OF[ip]=iproute2
  PACKAGE_OF[tc]=iproute2
  PACKAGE_OF[nft]=nftables
  PACKAGE_OF[chromium]=chromium
  PACKAGE_OF[haproxy]=haproxy
  PACKAGE_OF[promtool]=prometheus
  PACKAGE_OF[prometheus-redis-exporter]=prometheus-redis-exporter
fi

missing=()
for binary in "${!PACKAGE_OF[@]}"; do
  command -v "$binary" >/dev/null 2>&1 || missing+=("${PACKAGE_OF[$binary]}")
done

# gcc alone (without recommends) brings no C library headers
[ -f /usr/include/stdio.h ] || missing+=(libc6-dev)

if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "quorum: need root (or sudo) to install ${missing[*]}; install them and run again" >&2; exit 1; }
    sudo="sudo"
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi
