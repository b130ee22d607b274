#!/usr/bin/env bash
# The release build of the app into dist/ (what `make dev`, the end-to-end suite and the
# deploy serve): Trunk with the pinned tools, size-optimised Rust, wasm-opt -Oz, and the inline
# loader moved out for the CSP. Skipped when dist/ is newer than every input.
set -euo pipefail
cd "$(dirname "$0")/.."
# One build at a time: the end-to-end suite starts two servers (scripts/e2e-server.sh and
# scripts/dev-lambda.sh) that both ask for dist/ (and the web tools, which a fresh machine installs
# first); the second waits, then finds it up to date.
mkdir -p target
exec 9>target/build-app.lock
flock 9

scripts/ensure-web.sh
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export TRUNK_SKIP_VERSION_CHECK=true

inputs=(app shared style Trunk.toml Cargo.toml Cargo.lock .cargo package-lock.json scripts/externalize_loader.py scripts/split_app.py)
# target/app-release.sha256 names the index.html of the last finished release build: a dist/
# some other build left (an older `trunk serve` wrote here) is rebuilt, not served.
stamp=target/app-release.sha256
if [[ -f dist/index.html ]] && sha256sum --check --status "$stamp" 2>/dev/null \
  && [[ -z "$(find "${inputs[@]}" scripts/build-app.sh -newer dist/index.html -print -quit)" ]]; then
  echo "==> dist/ is up to date"
  exit 0
fi
cargo fetch --locked --quiet
echo "==> trunk build --release"
trunk build --release --dist dist
touch dist/index.html
mkdir -p target && sha256sum dist/index.html >"$stamp"
