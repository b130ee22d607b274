#!/usr/bin/env bash
# The 16-core benchmark (#19): the scenarios whose targets are stated at 16 cores, run once on a
# machine the library's `device` tool lends to some sessions for 15 minutes in all. That
# machine has no Rust and reaches no registry, so the binaries are built here and travel with
# the working tree; the run is one bounded command, and what it measured comes back as one
# tarball, re-packed after every run so a run cut short still returns what it finished.
#
#   scripts/bench-device.sh prepare       build and strip the binaries into .device-bench/
#   scripts/bench-device.sh run DIR       (on the lent machine) run the scenarios; results in
#                                         DIR/device-bench.tar.gz
#   scripts/bench-device.sh import FILE   unpack a run's results into docs/bench/16-core/,
#                                         which the next `make bench` renders
#
# The device call, right after `prepare` (its binaries are the tree's as `prepare` found it):
# command `scripts/bench-device.sh run "$OUT"`, carry [".device-bench"], timeout_s 480. The
# scenarios are ordered by what the 16-core figures are for, so what a run cut short leaves
# out is the least needed: the 16-core targets (1,000 clients), the big rooms, the
# 10,000-person setup, then the other ramps. Never run on 16 cores yet: how far 480 s reaches
# is a guess (on 2 cores it all takes about 25 minutes).
set -euo pipefail
# Paths given on the command line are the caller's; the script works from the repository root.
caller=$PWD
cd "$(dirname "$0")/.."
absolute() { if [[ "$1" = /* ]]; then echo "$1"; else echo "$caller/$1"; fi; }

bin=.device-bench
# Where `import` puts a run's figures (a test points it elsewhere).
results=${DEVICE_RESULTS:-docs/bench/16-core}

prepare() {
  cargo build --profile local -p gateway -p load --locked
  rm -rf "$bin" && mkdir -p "$bin"
  # Stripped: the working tree and what it carries travel within 64 MiB.
  strip -o "$bin/confab-gateway" target/local/confab-gateway
  strip -o "$bin/confab-load" target/local/confab-load
  git rev-parse --short HEAD > "$bin/commit"
  if [[ -n "$(git status --porcelain --untracked-files=no)" ]]; then echo dirty >> "$bin/commit"; fi
  du -h "$bin"/confab-*
  echo "ready: run 'scripts/bench-device.sh run \"\$OUT\"' there, carrying $bin"
}

# What the lent machine is, for the report's heading.
describe_machine() { # file
  python3 - "$1" "$bin/commit" <<'EOF'
import json, os, platform, sys
from datetime import datetime, timezone
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "unknown CPU")
kib = int(open("/proc/meminfo").read().split()[1])
commit = open(sys.argv[2]).read().split() if os.path.exists(sys.argv[2]) else ["unknown"]
# The cores this process may run on (a container's share, not the host's count), and the
# kernel: 4.4.0 is gVisor's, whose network stack is not Linux's and shapes every figure.
release = platform.release()
json.dump({"cores": len(os.sched_getaffinity(0)), "cpu": cpu, "memory_gib": round(kib / 1024 / 1024),
           "kernel": release + (" (gVisor)" if release.startswith("4.4.0") else ""),
           "commit": commit[0], "dirty": "dirty" in commit,
           "date": f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC"}, open(sys.argv[1], "w"))
EOF
}

run() { # destination
  local destination=$1
  mkdir -p "$destination"
  gateway=$bin/confab-gateway
  load=$bin/confab-load
  # A binary that cannot start here (no `prepare`, another C library) fails now, not after a
  # wait for each scenario's gateway.
  if ! "$gateway" --version || ! "$load" --version; then
    echo "the binaries in $bin do not run here: run 'scripts/bench-device.sh prepare' first" >&2
    exit 1
  fi
  cat "$bin/commit" 2>/dev/null || echo "(no commit recorded: not built by prepare)"
  out=$(mktemp -d)
  repeats=1
  # A 50,000-connection room needs 50,000 sockets on each side of loopback: as root the
  # open-files limit can rise that far, and the ephemeral ports must outnumber the sockets
  # (one gateway port, one address: 28,000 by default). Neither is needed below that.
  for files in 200000 120000 60000; do ulimit -n "$files" 2>/dev/null && break; done
  # Put back as found when the run ends: on a machine of one's own this is a system setting.
  local ports
  ports=$(cat /proc/sys/net/ipv4/ip_local_port_range)
  # shellcheck disable=SC2064
  trap "echo '$ports' > /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || true" EXIT
  echo "1024 65535" > /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || true
  echo "open files: $(ulimit -n); ephemeral ports: $(cat /proc/sys/net/ipv4/ip_local_port_range)"
  describe_machine "$out/machine.json"
  # Re-packed after each run: a run stopped at its limit still returns what it finished. The
  # gateways' logs travel as their last lines (a big room's run can log megabytes).
  after_run() {
    local log
    for log in "$out"/*.log; do [[ -e "$log" ]] && tail -n 40 "$log" > "$log.tail"; done
    # A failed re-pack must not end the run (set -e): the next run packs again.
    { tar czf "$destination/device-bench.tar.gz.part" -C "$out" --exclude='*.log' . \
      && mv "$destination/device-bench.tar.gz.part" "$destination/device-bench.tar.gz"; } \
      || echo "    (re-packing the results failed; the next run packs again)"
  }
  after_run
  # shellcheck source=scripts/bench_load.sh
  source scripts/bench_load.sh
  local ramp="--send-burst 1000000"
  # The two targets stated at 16 cores first: p99 at 50 messages/s and saturation, 1,000
  # clients. Names as bench.sh's, so the report reads them alike.
  run_scenarios 0 \
    "1,000 clients, 1 room|--clients 1000 --rooms 1 --messages 300 --rate 50 --settle-secs 30 --baseline||3|" \
    "1,000 clients, 1 room, ramped to saturation|--clients 1000 --rooms 1 --ramp --ramp-start 40 --baseline|$ramp|1|"
  run_fanouts 10000 50000
  # The issue's setup target, 10,000 people in one room (Confab alone: the baseline has no
  # accounts to set up); then the other room sizes beside the baseline, as on 2 cores.
  run_scenarios 2 \
    "10,000 clients, 1 room, ramped to saturation|--clients 10000 --rooms 1 --ramp --ramp-start 4|$ramp|1|" \
    "5,000 clients, 1 room, ramped to saturation|--clients 5000 --rooms 1 --ramp --ramp-start 8 --baseline|$ramp|1|" \
    "100 clients, 1 room, ramped to saturation|--clients 100 --rooms 1 --ramp --ramp-start 400 --baseline|$ramp|1|"
  run_fanouts 1000
  echo "==> done: $destination/device-bench.tar.gz"
}

import_results() { # tarball
  local tarball unpacked
  tarball=$(absolute "$1")
  unpacked=$(mktemp -d)
  # The figures only (the logs' tails stay in the tarball); the last import is replaced only
  # once this one unpacked and holds the machine's description.
  # (tar fails where one of the patterns has no match: a run cut short may have no .name yet)
  tar xzf "$tarball" -C "$unpacked" --wildcards '*.json' '*.name' 2>/dev/null || true
  if [[ ! -f "$unpacked/machine.json" ]]; then
    echo "$tarball holds no machine.json: not a device run's results" >&2
    exit 1
  fi
  rm -rf "$results" && mkdir -p "$(dirname "$results")" && mv "$unpacked" "$results"
  ls "$results"
  echo "imported: commit $results, then 'make bench' renders it in docs/BENCHMARKS.md"
}

case "${1:-}" in
  prepare) prepare ;;
  run) run "$(absolute "${2:?a folder for the results}")" ;;
  import) import_results "${2:?the device-bench.tar.gz of a run}" ;;
  *) echo "usage: $0 prepare | run DIR | import FILE" >&2; exit 2 ;;
esac
