#!/usr/bin/env bash
# The release build of the app into dist/ (what `make dev`, the end-to-end suite and the
# deploy serve): Trunk with the pinned tools, size-optimised Rust, wasm-opt -Oz, and the inline
# loader moved out for the CSP. Skipped when dist/ is newer than every input.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-web.sh
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export TRUNK_SKIP_VERSION_CHECK=true

inputs=(app shared style Trunk.toml Cargo.toml Cargo.lock .cargo package-lock.json scripts/externalize_loader.py scripts/split_app.py)
if [[ -f dist/index.html ]] && [[ -z "$(find "${inputs[@]}" -newer dist/index.html -print -quit)" ]]; then
  echo "==> dist/ is up to date"
  exit 0
fi
cargo fetch --locked --quiet
echo "==> trunk build --release"
trunk build --release
touch dist/index.html
