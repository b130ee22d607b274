#!/usr/bin/env bash
# The deployable system on this machine (`make dev-lambda`, and the Playwright suite's Lambda
# project): moto as DynamoDB and Secrets Manager, every handler binary built for this host,
# and the gateway in its Lambda mode running them as infra/template.yaml wires them.
# CONFAB_LISTEN, CONFAB_DATA_DIR and CONFAB_DIST are the gateway's usual settings; extra
# arguments go to the gateway. Stops moto when the gateway stops.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-venv.sh test >&2
# The dev profile: what `cargo test --workspace` has already built (argon2 is optimised even
# there); `make package` cross-builds the same source for Lambda.
cargo build -p handlers --bins --locked --quiet >&2
cargo build -p gateway --locked --quiet >&2
scripts/build-app.sh >&2

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
.venvs/test/bin/moto_server -H 127.0.0.1 -p "$port" >/dev/null 2>&1 &
moto=$!
gateway=""
stop() {
  [ -n "$gateway" ] && kill "$gateway" 2>/dev/null && wait "$gateway" 2>/dev/null
  kill "$moto" 2>/dev/null || true
}
trap stop EXIT
trap 'exit 0' INT TERM
for _ in $(seq 1 600); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  kill -0 "$moto" 2>/dev/null || { echo "moto_server exited at start-up" >&2; exit 1; }
  sleep 0.1
done
echo "moto (DynamoDB, Secrets Manager) at http://127.0.0.1:$port" >&2

target/debug/confab-gateway --lambdas target/debug --template infra/template.yaml \
  --aws-endpoint "http://127.0.0.1:$port" "$@" &
gateway=$!
wait "$gateway"
