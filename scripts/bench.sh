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

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Starts the gateway in the background (pid in $pid) and waits until it answers.
start_gateway() { # port data log flags...
  local port=$1 data=$2 log=$3; shift 3
  # shellcheck disable=SC2068
  # Access tokens live two hours here: the load tool registers once and reconnects with its
  # token (it holds no refresh cookie), and a long scenario must not outlive it. Every core
  # hashes passwords, so thousands of users register in parallel.
  RUST_LOG=warn "$gateway" --listen "127.0.0.1:$port" --data-dir "$data" --dist "$data/none" \
    --register-burst 100000 --access-token-ttl-secs 7200 --password-hashes "$(nproc)" $@ \
    >> "$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/config.json" >/dev/null && break; sleep 0.1; done
}

for index in "${!scenarios[@]}"; do
  IFS='|' read -r name arguments flags runs restart <<<"${scenarios[$index]}"
  runs=${runs:-$repeats}
  for run in $(seq 1 "$runs"); do
    echo "==> $name, run $run/$runs"
    data=$(mktemp -d)
    port=$(free_port)
    log="$out/gateway-$index-$run.log"
    # shellcheck disable=SC2086
    start_gateway "$port" "$data" "$log" $flags
    # shellcheck disable=SC2086
    "$load" --url "http://127.0.0.1:$port" $arguments --server-pid "$pid" --json \
      > "$out/load-$index-$run.json" &
    load_pid=$!
    if [[ -n "$restart" ]]; then
      sleep "$restart"
      echo "    restarting the gateway ($restart s in)"
      kill -INT "$pid"; wait "$pid" || true
      # shellcheck disable=SC2086
      start_gateway "$port" "$data" "$log" $flags
    fi
    wait "$load_pid" || echo "    (unhealthy run: kept in $out/load-$index-$run.json)"
    kill -INT "$pid"; wait "$pid" || true
    rm -rf "$data"
  done
  echo "$name" > "$out/scenario-$index.name"
done

# Big rooms: the handlers fan out over HTTP with the Lambdas' notifier, each Management API
# call held 30 ms ± 10 ms as on AWS; one message at a time to rooms of 1,000 to 50,000
# connections. Each side needs a file per connection: a size this machine's limit cannot hold
# is recorded as not run, with the reason.
for connections in 1000 10000 50000; do
  echo "==> big room: $connections connections, fan-out under the 30 ms±10 ms post latency model"
  limit=$(ulimit -n)
  if (( limit < connections + 200 )); then
    echo "    not run: $limit open files per process here"
    printf '{"connections": %d, "skipped": "needs %d open files per process; this machine allows %d"}\n' \
      "$connections" "$((connections + 200))" "$limit" > "$out/fanout-$connections.json"
    continue
  fi
  data=$(mktemp -d)
  port=$(free_port)
  start_gateway "$port" "$data" "$out/gateway-fanout-$connections.log" \
    --notify-over-http --post-latency "30ms±10ms"
  "$load" --url "http://127.0.0.1:$port" fanout --connections "$connections" --users 100 \
    --messages 5 > "$out/fanout-$connections.json" || echo "    (unhealthy run: kept in $out/fanout-$connections.json)"
  kill -INT "$pid"; wait "$pid" || true
  rm -rf "$data"
done

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
