#!/usr/bin/env bash
# make bench: load scenarios against the local gateway (each beside a bare baseline, repeated),
# cold starts through the Runtime API, read capacity per send on DynamoDB (moto), the criterion
# micro-benchmarks, the Lambda zip sizes and the web app's size, then docs/BENCHMARKS.md and
# its latency plot.
#   BENCH_REPEATS=3 (runs per scenario; the report gives medians and the spread)
set -euo pipefail
cd "$(dirname "$0")/.."

repeats=${BENCH_REPEATS:-3}
# Thousands of sockets per process: the soft open-files limit up to the hard one.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
out=target/bench
rm -rf "$out" && mkdir -p "$out"

# Every micro-benchmark once, before the hour of scenarios: one that cannot run (a fixture the
# schema outgrew) fails here in minutes, not after the load runs.
echo "==> micro-benchmarks, each once (--test)"
cargo bench -p perf --bench hot_paths --locked -- --test

cargo build --profile local -p gateway -p load --locked
gateway=target/local/confab-gateway
load=target/local/confab-load

# scenario name | confab-load arguments | gateway fault flags | runs (default: repeats) |
# restart the gateway this many seconds into the run (same port and data: sockets dropped,
# store kept)
faults="--fault-drop-posts 0.05 --fault-store-writes 0.01 --fault-concurrent-frames"
# Saturation ramps raise the send allowance: the server's capacity is measured, not the limit.
ramp="--send-burst 1000000"
scenarios=(
  "100 clients, 1 room|--clients 100 --rooms 1 --messages 1000 --rate 200 --baseline||"
  "100 clients, 1 room, one flooder|--clients 100 --rooms 1 --messages 1000 --rate 200 --flooders 1||"
  "1,000 clients, 1 room|--clients 1000 --rooms 1 --messages 300 --rate 50 --settle-secs 30 --baseline||"
  "200 clients, 10 rooms, 10% churn|--clients 200 --rooms 10 --messages 1000 --rate 200 --churn 0.1||"
  "100 clients, 1 room, ramped to saturation|--clients 100 --rooms 1 --ramp --ramp-start 50 --baseline|$ramp|1|"
  "1,000 clients, 1 room, ramped to saturation|--clients 1000 --rooms 1 --ramp --ramp-start 10 --baseline|$ramp|1|"
  "5,000 clients, 1 room, ramped to saturation|--clients 5000 --rooms 1 --ramp --ramp-start 2 --baseline|$ramp|1|"
  "200 clients, 10 rooms, 10 minutes under faults: 5% of posts lost, 1% of store writes failing, concurrent frames, 10% churn, a restart at 5 minutes|--clients 200 --rooms 10 --messages 12000 --rate 20 --churn 0.1 --settle-secs 60|$faults|1|300"
)

# shellcheck source=scripts/bench_load.sh
source scripts/bench_load.sh
run_scenarios 0 "${scenarios[@]}"
run_fanouts 1000 10000 50000

echo "==> cold starts through the Runtime API (each function's release binary in the Lambda mode, on moto)"
# In their own target directory: other benches build the handlers library with their
# dev-dependencies' features into target/release, and a binary built there would be re-linked
# (an LTO link of minutes, 22 times) whenever the two alternate.
host_bins=target/host-lambda
CARGO_TARGET_DIR=$host_bins cargo build --release -p handlers --bins --locked
scripts/ensure-venv.sh test
MOTO_SERVER="$PWD/.venvs/test/bin/moto_server" COLD_START_OUT="$PWD/$out/cold-start.json" \
  COLD_START_BINARIES="$PWD/$host_bins/release" COLD_START_RUNS=7 \
  cargo bench -p gateway --bench cold_start --locked

echo "==> read capacity per send on DynamoDB (moto), 50-member room among 50/500/5,000 connections"
scripts/ensure-venv.sh test
MOTO_SERVER="$PWD/.venvs/test/bin/moto_server" cargo bench -p perf --bench dynamo_capacity --locked

echo "==> micro-benchmarks"
cargo bench -p perf --bench hot_paths --locked -- --warm-up-time 2 --measurement-time 5 \
  | tee "$out/criterion.txt"

echo "==> Lambda zips"
scripts/package.sh

echo "==> web app size (release build)"
scripts/build-app.sh
python3 scripts/app_size.py dist --json "$out/app-size.json"

python3 scripts/bench_report.py "$out" "$repeats"
echo "==> wrote docs/BENCHMARKS.md and docs/bench-latency.svg"
