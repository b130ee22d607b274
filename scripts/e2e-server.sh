#!/usr/bin/env bash
# Playwright's webServer: the local gateway serving the release build of the app, on the port
# and data directory the suite chose (CONFAB_LISTEN, CONFAB_DATA_DIR). Builds what is stale.
# The gateway is the dev build `make test` has already linked for its integration tests
# (argon2 is optimised even there): an optimised one would cost CI minutes and ~0.9 GB of disk
# for a suite whose load is a few users.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -p gateway --locked --quiet >&2
scripts/build-app.sh >&2
# The suite signs up dozens of users from 127.0.0.1 within a minute or two; a real address gets
# 30 at once (docs/SECURITY.md). Login limits stay as they are: the suite tests them.
exec target/debug/confab-gateway --dist dist --register-burst "${CONFAB_REGISTER_BURST:-1000}"
