#!/usr/bin/env bash
# Cross-builds every handler for Lambda (arm64, release profile) with cargo-lambda and reports
# each zip's size against the 4 MB budget. Output: target/lambda/<binary>/bootstrap.zip.
#   scripts/package.sh --print-command   prints the build command and builds nothing
# The command is the one `sam build` runs for each function (aws-lambda-builders'
# rust-cargolambda workflow: `cargo lambda build --release --arm64 --bin <Binary>` in
# handlers/), for every binary at once; infra/test_package.py holds the two together.
set -euo pipefail
cd "$(dirname "$0")/.."

build=(cargo lambda build --release --arm64 -p handlers --output-format zip --locked)
if [ "${1:-}" = --print-command ]; then
  printf '%s\n' "${build[@]}"
  exit 0
fi

scripts/ensure-venv.sh lambda
rustup target list --installed | grep -q '^aarch64-unknown-linux-gnu$' \
  || rustup target add aarch64-unknown-linux-gnu
PATH="$PWD/.venvs/lambda/bin:$PATH" "${build[@]}"

budget=$((4 * 1024 * 1024))
status=0
printf '%-14s %10s\n' binary "zip bytes"
for bin in handlers/src/bin/*.rs; do
  name=$(basename "$bin" .rs)
  zip="target/lambda/$name/bootstrap.zip"
  if [ ! -f "$zip" ]; then echo "missing $zip" >&2; status=1; continue; fi
  size=$(stat -c %s "$zip")
  flag=""; [ "$size" -le "$budget" ] || { flag="  over the 4 MB budget"; status=1; }
  printf '%-14s %10d%s\n' "$name" "$size" "$flag"
done
exit $status
