#!/usr/bin/env bash
# Compiles the proxy's byte relay (native/*.c) into native/build/relay.node against the
# Node-API headers of the Node.js that runs quorum. Without it the proxy relays in JavaScript
# (slower; it says so when it starts).
set -euo pipefail
cd "$(dirname "$0")/.."

out=native/build/relay.node
headers=""
for dir in "$(dirname "$(dirname "$(command -v node)")")/include/node" "$(npm config get nodedir 2>/dev/null)/include/node"; do
  if [ -f "$dir/node_api.h" ]; then headers="$dir"; break; fi
done
if [ -z "$headers" ]; then
  echo "quorum: no Node-API headers (node_api.h) next to $(command -v node); install Node.js with its headers (Debian: libnode-dev) and run make again" >&2
  exit 1
fi
cc="${CC:-cc}"
command -v "$cc" >/dev/null 2>&1 || { echo "quorum: no C compiler ($cc); install gcc and run make again" >&2; exit 1; }
mkdir -p native/build
# hidden: the C files share their functions with each other only, so none binds to a same-named
# symbol of another library loaded into Node
"$cc" -O2 -std=gnu11 -Wall -Wextra -Werror -fPIC -shared -pthread -fvisibility=hidden -I"$headers" -o "$out.tmp" native/*.c
mv "$out.tmp" "$out"
