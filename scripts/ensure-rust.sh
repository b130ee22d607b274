#!/usr/bin/env bash
# Makes sure the pinned toolchain has what the build needs: rustfmt, clippy and the wasm32
# target (the `shared` crate must build for the browser). Quick when all is present.
set -euo pipefail
cd "$(dirname "$0")/.."

toolchain=$(sed -n 's/^channel *= *"\(.*\)"/\1/p' rust-toolchain.toml)
rustup toolchain list | grep -q "^$toolchain" || rustup toolchain install "$toolchain" --profile minimal
installed_components=$(rustup component list --installed --toolchain "$toolchain")
for component in rustfmt clippy; do
  grep -q "^$component" <<<"$installed_components" || rustup component add "$component" --toolchain "$toolchain"
done
rustup target list --installed --toolchain "$toolchain" | grep -q '^wasm32-unknown-unknown$' \
  || rustup target add wasm32-unknown-unknown --toolchain "$toolchain"
