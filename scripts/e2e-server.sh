#!/usr/bin/env bash
# Playwright's webServer: the local gateway serving the release build of the app, on the port
# and data directory the suite chose (CONFAB_LISTEN, CONFAB_DATA_DIR). Builds what is stale.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --profile local -p gateway --locked --quiet >&2
scripts/build-app.sh >&2
exec target/local/confab-gateway --dist dist
