#!/usr/bin/env bash
# Makes sure the app's build tools are here, at the versions the build needs, offline:
#   trunk 0.21.14 (0.22 needs a newer rustc), wasm-bindgen-cli equal to Cargo.lock's
#   wasm-bindgen, wasm-split-cli equal to Cargo.lock's wasm_split_helpers, and wasm-opt 132
#   from npm's binaryen, terser and lightningcss (package.json). Quick when present.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

TRUNK_VERSION=0.21.14
have() { command -v "$1" >/dev/null 2>&1; }

if ! have trunk || [[ "$(trunk --version)" != "trunk $TRUNK_VERSION" ]]; then
  echo "==> installing trunk $TRUNK_VERSION (a few minutes, once)"
  cargo install trunk --locked --version "$TRUNK_VERSION"
fi

# wasm-bindgen-cli's own lockfile pins a crate the registry no longer serves: no --locked.
bindgen=$(sed -n '/^name = "wasm-bindgen"$/{n;s/^version = "\(.*\)"$/\1/p}' Cargo.lock)
if [[ -z "$bindgen" ]]; then
  echo "no wasm-bindgen in Cargo.lock" >&2
  exit 1
fi
if ! have wasm-bindgen || [[ "$(wasm-bindgen --version)" != "wasm-bindgen $bindgen" ]]; then
  echo "==> installing wasm-bindgen-cli $bindgen (a few minutes, once)"
  cargo install wasm-bindgen-cli --version "$bindgen" --force
fi
if ! grep -q "wasm_bindgen = \"$bindgen\"" Trunk.toml; then
  echo "Trunk.toml's [tools] wasm_bindgen must be $bindgen (Cargo.lock's)" >&2
  exit 1
fi

# wasm-split-cli cuts the app's chunks out (scripts/split_app.py); it must speak the same
# split protocol as the wasm_split_helpers the app links, so it follows Cargo.lock's version.
split=$(sed -n '/^name = "wasm_split_helpers"$/{n;s/^version = "\(.*\)"$/\1/p}' Cargo.lock)
if [[ -z "$split" ]]; then
  echo "no wasm_split_helpers in Cargo.lock" >&2
  exit 1
fi
if ! cargo install --list | grep -qx "wasm_split_cli_support v$split:"; then
  echo "==> installing wasm-split-cli $split (a minute, once)"
  cargo install wasm_split_cli_support --locked --version "$split" --features build-binary --force
fi

if [[ ! -x node_modules/.bin/wasm-opt ]] || [[ ! -x node_modules/.bin/terser ]] ||
  [[ ! -x node_modules/.bin/lightningcss ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "==> installing npm build tools (binaryen, terser, lightningcss)"
  npm ci --no-audit --no-fund --loglevel=error
fi

scripts/ensure-rust.sh
