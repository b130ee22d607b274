# shellcheck shell=bash disable=SC2154
# Load scenarios against the local gateway, shared by `make bench` (scripts/bench.sh) and the
# 16-core run on a lent machine (scripts/bench-device.sh), so both measure the same way.
# Sourced, not run. The caller sets:
#   gateway, load   the confab-gateway and confab-load binaries
#   out             the results folder (load-<index>-<run>.json, scenario-<index>.name,
#                   fanout-<connections>.json, gateway logs)
# Needs bash, python3 and mktemp: nothing that a bare machine without Rust lacks.

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Waits until the gateway at 127.0.0.1:$1 serves /config.json (10 s at most).
wait_ready() {
  python3 - "$1" <<'EOF'
import sys, time, urllib.request
for _ in range(100):
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/config.json", timeout=1).read()
        sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit(1)
EOF
}

# Starts the gateway in the background (pid in $pid) and waits until it answers.
start_gateway() { # port data log flags...
  local port=$1 data=$2 log=$3; shift 3
  # Access tokens live two hours here: the load tool registers once and reconnects with its
  # token (it holds no refresh cookie), and a long scenario must not outlive it. Every core
  # hashes passwords, so thousands of users register in parallel.
  # shellcheck disable=SC2068
  RUST_LOG=warn "$gateway" --listen "127.0.0.1:$port" --data-dir "$data" --dist "$data/none" \
    --register-burst 100000 --access-token-ttl-secs 7200 --password-hashes "$(nproc)" $@ \
    >> "$log" 2>&1 &
  pid=$!
  wait_ready "$port" || echo "    (the gateway did not answer within 10 s: see $log)"
}

# Once a run's figures are written: the caller's `after_run` (if it defined one), then the
# gateway is stopped at once. The load tool's exit closes every socket, and a graceful stop
# waits for all their `$disconnect`s; in a room of N each reads the N members to announce the
# departure: minutes of teardown at 50,000 connections that measure nothing.
finish_run() {
  if declare -F after_run >/dev/null; then after_run; fi
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# Runs scenarios "name|confab-load arguments|gateway flags|runs (default: $repeats)|restart the
# gateway this many seconds in (same port and data: sockets dropped, store kept)", numbering
# their files from $1.
run_scenarios() { # first-index scenario...
  local first=$1; shift
  local offset=0 spec name arguments flags runs restart index run data port log load_pid
  for spec in "$@"; do
    index=$((first + offset)); offset=$((offset + 1))
    IFS='|' read -r name arguments flags runs restart <<<"$spec"
    runs=${runs:-$repeats}
    echo "$name" > "$out/scenario-$index.name"
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
      finish_run
      rm -rf "$data"
    done
  done
}

# Big rooms: the handlers fan out over HTTP with the Lambdas' notifier, each Management API
# call held 30 ms ± 10 ms as on AWS; one message at a time to rooms of the given sizes. Each
# side needs a file per connection: a size this process's limit cannot hold is recorded as
# not run, with the reason.
run_fanouts() { # connections...
  local connections limit data port
  for connections in "$@"; do
    echo "==> big room: $connections connections, fan-out under the 30 ms±10 ms post latency model"
    limit=$(ulimit -n)
    if (( limit < connections + 200 )); then
      echo "    not run: $limit open files per process here"
      printf '{"connections": %d, "skipped": "needs %d open files per process; this machine allows %d"}\n' \
        "$connections" "$((connections + 200))" "$limit" > "$out/fanout-$connections.json"
      continue
    fi
    # Every socket to the gateway's one port takes an ephemeral port of loopback's one address,
    # and the notifier's posts over HTTP take more (up to 256 at once per invocation).
    read -r low high < /proc/sys/net/ipv4/ip_local_port_range
    if (( high - low + 1 < connections + 5000 )); then
      echo "    not run: $((high - low + 1)) ephemeral ports here"
      printf '{"connections": %d, "skipped": "needs %d ephemeral ports; this machine has %d"}\n' \
        "$connections" "$((connections + 5000))" "$((high - low + 1))" > "$out/fanout-$connections.json"
      continue
    fi
    data=$(mktemp -d)
    port=$(free_port)
    start_gateway "$port" "$data" "$out/gateway-fanout-$connections.log" \
      --notify-over-http --post-latency "30ms±10ms"
    "$load" --url "http://127.0.0.1:$port" fanout --connections "$connections" --users 100 \
      --messages 5 > "$out/fanout-$connections.json" \
      || echo "    (unhealthy run: kept in $out/fanout-$connections.json)"
    finish_run
    rm -rf "$data"
  done
}
