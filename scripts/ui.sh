#!/usr/bin/env bash
# `make ui`: Trunk's dev server for UI work, in front of a running gateway (`make dev`).
# Trunk rebuilds on save (debug build, same post-build hooks as a release) and reloads the open
# page; /api, /ws and /config.json are proxied to the gateway, so the app talks to one origin
# as it does in production, under the gateway's own Content-Security-Policy.
#
#   GATEWAY  the gateway to proxy to (default http://127.0.0.1:3000, where `make dev` listens)
#   UI_PORT  where Trunk serves the app (default 8080)
#
# Builds go to target/trunk-serve/<port>, never to dist/ (the release build `make dev` serves).
set -euo pipefail
cd "$(dirname "$0")/.."
gateway=${GATEWAY:-http://127.0.0.1:3000}
gateway=${gateway%/}
port=${UI_PORT:-8080}

if ! curl -fsS -o /dev/null --max-time 5 "$gateway/config.json"; then
  echo "ui: no gateway answers at $gateway; start one with 'make dev' (or set GATEWAY=)" >&2
  exit 1
fi

scripts/ensure-web.sh
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export TRUNK_SKIP_VERSION_CHECK=true
# Trunk 0.21 reads NO_COLOR as a boolean and refuses the conventional NO_COLOR=1 (fixed in a
# later Trunk this rustc cannot build): any value means "no colour", as no-color.org says.
if [[ -n "${NO_COLOR:-}" ]]; then export NO_COLOR=true; fi

# Trunk.toml is the configuration; this run's copy only points its proxies at $gateway and adds
# the gateway's CSP. Trunk resolves paths against the config's folder, so the copy sits here.
config=".trunk-ui-$port.toml"
trap 'rm -f "$config"' EXIT
sed "s#//127\.0\.0\.1:3000/#//${gateway#*://}/#" Trunk.toml >"$config"
if [[ $(grep -c "//${gateway#*://}/" "$config") -lt 3 ]]; then
  echo "ui: Trunk.toml no longer proxies /api, /ws and /config.json to 127.0.0.1:3000" >&2
  exit 1
fi
csp=$(curl -fsS -o /dev/null -D - --max-time 5 "$gateway/" | tr -d '\r' \
  | sed -n 's/^content-security-policy: *//Ip')
if [[ -n "$csp" ]]; then
  printf '\n[serve.headers]\ncontent-security-policy = "%s"\n' "$csp" >>"$config"
else
  echo "ui: $gateway sends no Content-Security-Policy (is dist/ built?); serving without one" >&2
fi

cargo fetch --locked --quiet
echo "==> trunk serve on http://127.0.0.1:$port, proxying to $gateway"
# In the foreground, so Ctrl-C reaches Trunk; the trap removes the copy when it exits.
trunk --config "$config" serve --port "$port" --dist "target/trunk-serve/$port"
