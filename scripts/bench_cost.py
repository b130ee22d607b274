#!/usr/bin/env python3
"""What each event type costs on AWS, from the capacity benchmark's measurements.

`section(results)` gives docs/BENCHMARKS.md's "Cost per event type" section and its rows for the
Targets table, from `target/bench/capacity-events.json` (written by
handlers/perf/benches/dynamo_capacity.rs: every store call and every post of each event, as it
lands) and the prices in infra/prices.json. What the benchmark cannot measure on moto, how long
the Lambda runs, is modelled here and said so in the section: store calls and post waves at
fixed latencies, with the fan-out's concurrency bound read from the domain's source and each
function's memory from infra/template.yaml, at report time.

Run it alone to see the section: `python3 scripts/bench_cost.py target/bench` (standard library
only, like bench_report.py).
"""

import json
import math
import re
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The Lambda duration model: DynamoDB answers a key lookup or a small write in single-digit
# milliseconds inside a region, and a Management API post (an HTTPS call to API Gateway) in
# tens of milliseconds. Neither can be measured on moto on one machine, so they are stated.
STORE_CALL_MS = 5
POST_MS = 30

# Every event type the chat handles on its WebSocket, by the key the benchmark writes.
EVENTS = {
    "send": "send (public room)",
    "send_private": "send (private room)",
    "reply": "reply",
    "edit": "edit",
    "react": "reaction",
    "delete": "deletion",
    "read_mark": "read mark",
    "typing": "typing",
    "join": "joinRoom",
    "connect": "$connect",
    "disconnect": "$disconnect",
}

# The figure docs/DEPLOY.md states, and this report checks against the benchmark.
DEPLOY_MARKER = "Cost per million messages in a 50-member room:"
DEPLOY_TARGET = "docs/DEPLOY.md's cost per million messages in a 50-member room matches the benchmark"
COVERAGE_TARGET = ("cost measured for every event type as it lands (send, private send, reply, "
                   "edit, reaction, deletion, read mark, typing, join, $connect, $disconnect)")


def prices(root: Path) -> tuple[dict, dict]:
    """infra/prices.json: each price in USD per single unit, and the file's own record."""
    table = json.loads((root / "infra/prices.json").read_text())
    return {name: p["usd"] / p["per"] for name, p in table["prices"].items()}, table


def live_const(root: Path, name: str) -> int:
    """A `usize` constant of `domain::live` (`MAX_CONCURRENT_POSTS`, `SHARD_SIZE`), as the
    source says now."""
    source = (root / "handlers/domain/src/live.rs").read_text()
    match = re.search(rf"pub const {name}: usize = ([0-9_]+);", source)
    if not match:
        raise ValueError(f"{name} not found in handlers/domain/src/live.rs")
    return int(match.group(1).replace("_", ""))


def max_concurrent_posts(root: Path) -> int:
    """`domain::live::MAX_CONCURRENT_POSTS`: posts in flight per invocation."""
    return live_const(root, "MAX_CONCURRENT_POSTS")


def _blocks(template: str, section: str) -> dict:
    """The entries of a top-level section of a CloudFormation template: name → its lines."""
    blocks, name, inside = {}, None, False
    for line in template.splitlines():
        if line and not line[0].isspace():
            inside, name = line.startswith(f"{section}:"), None
            continue
        if not inside:
            continue
        top = re.match(r"^  ([A-Za-z0-9]+):\s*(#.*)?$", line)
        if top:
            name = top.group(1)
            blocks[name] = []
        elif name:
            blocks[name].append(line)
    return {name: "\n".join(lines) for name, lines in blocks.items()}


def memory_by_route(root: Path) -> dict:
    """Each WebSocket route key's function memory (MB): its own MemorySize, else the Globals'."""
    template = (root / "infra/template.yaml").read_text()
    default = re.search(r"MemorySize:\s*(\d+)", _blocks(template, "Globals").get("Function", ""))
    default = int(default.group(1)) if default else 128  # Lambda's own default
    resources = _blocks(template, "Resources")
    memory = {}
    for block in resources.values():
        if "Type: AWS::ApiGatewayV2::Route" not in block:
            continue
        key = re.search(r"RouteKey:\s*'?([^'\s]+)'?", block)
        target = re.search(r"integrations/\$\{(\w+)\}", block)
        if not key or not target:
            continue
        uri = re.search(r"\$\{(\w+)\.Arn\}", resources.get(target.group(1), ""))
        if not uri:
            continue  # a mock integration (ping): no Lambda
        own = re.search(r"MemorySize:\s*(\d+)", resources.get(uri.group(1), ""))
        memory[key.group(1)] = int(own.group(1)) if own else default
    return memory


def cents(value: float) -> Decimal:
    return Decimal(repr(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def cost(event: dict, price: dict, metered: int, bound: int, memory_mb: int) -> dict:
    """One event's usage and its price per million, each part apart."""
    messages_in = max(1, math.ceil(event["frame_bytes"] / metered))
    messages_out = sum(d["posts"] * max(1, math.ceil(d["bytes"] / metered)) for d in event["deliveries"])
    waves = sum(math.ceil(d["posts"] / bound) for d in event["deliveries"])
    duration_ms = event["store_calls"] * STORE_CALL_MS + waves * POST_MS
    gb_seconds = memory_mb / 1024 * duration_ms / 1000
    million = 1_000_000
    parts = {
        "lambda_requests": million * price["lambda_requests"],
        "lambda_duration": million * gb_seconds * price["lambda_arm64_gb_seconds"],
        "messages": million * (messages_in + messages_out) * price["websocket_messages"],
        "reads": million * event["rcu"] * price["dynamodb_read_units"],
        "writes": million * event["wcu"] * price["dynamodb_write_units"],
    }
    return {
        "messages_in": messages_in, "messages_out": messages_out, "waves": waves,
        "duration_ms": duration_ms, "gb_seconds": gb_seconds, "memory_mb": memory_mb,
        "parts": parts, "total": sum(parts.values()),
    }


def stated_in_deploy(root: Path):
    """The cost per million messages docs/DEPLOY.md states (None: no such line)."""
    path = root / "docs/DEPLOY.md"
    text = path.read_text() if path.exists() else ""
    match = re.search(re.escape(DEPLOY_MARKER) + r"\s*\**\s*\$([0-9,]+\.[0-9]{2})", text)
    return Decimal(match.group(1).replace(",", "")) if match else None


def allowances(events: dict) -> str:
    """Which allowance each event takes from, as the benchmark saw it called."""
    taken = {}
    for key, label in EVENTS.items():
        if key not in events:
            continue
        calls = events[key].get("calls", [])
        names = sorted({c["what"] for c in calls if c.get("rate_limit")})
        taken.setdefault(" and ".join(names) or "none", []).append(label)
    return "; ".join(f"{', '.join(labels)}: {names}" for names, labels in taken.items())


def numbered(events: dict) -> list:
    """The events whose write moves the room's counter."""
    return [label for key, label in EVENTS.items()
            if any(c["call"] == "TransactWriteItems" and "room counter" in c["what"]
                   for c in events.get(key, {}).get("calls", []))]


def _units(total: float, limit: float) -> str:
    return f"{total:.1f} ({limit:.1f})"


def section(results: Path, root: Path = ROOT) -> tuple[list[str], list[tuple[str, str, str]]]:
    """Markdown lines for "## Cost per event type", and (target, measured, verdict) rows."""
    path = results / "capacity-events.json"
    lines = ["## Cost per event type", ""]
    if not path.exists():
        lines += ["Not measured: run the capacity benchmark (`make bench`).", ""]
        return lines, [(COVERAGE_TARGET, "not measured", "—"), (DEPLOY_TARGET, "not measured", "—")]
    events = {row["key"]: row for row in json.loads(path.read_text())}
    price, table = prices(root)
    metered = table["prices"]["websocket_messages"].get("metered_bytes", 32 * 1024)
    bound = max_concurrent_posts(root)
    memory = memory_by_route(root)
    costs = {key: cost(row, price, metered, bound, memory.get(row["route"], 128))
             for key, row in events.items()}
    read_on = sorted({p.get("read_on", "?") for p in table["prices"].values()})
    members = next(iter(events.values()))["room_members"]
    lines += [
        f"What each event costs as it lands, per million events, at {table['region']} on-demand "
        f"list prices (`infra/prices.json`, read {', '.join(read_on)}). Measured by "
        "`handlers/perf/benches/dynamo_capacity/events.rs`: each event served through its "
        "WebSocket entry point, as its Lambda serves it, by the services over DynamoDB on moto; "
        "every store call taken from the SDK as it is made and priced by DynamoDB's rules (reads "
        "by the items returned, writes by the items written), every Management API post counted. "
        f"A public room of {members} members, one connection each.",
        "",
        "| event | Lambda | API Gateway messages (in + out) | store calls | RCU (rate limit) "
        "| WCU (rate limit) | Lambda time (model) | $ per million |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for key, label in EVENTS.items():
        if key not in events:
            lines.append(f"| {label} | not measured | | | | | | |")
            continue
        row, c = events[key], costs[key]
        lines.append(
            f"| {label} | 1 | {c['messages_in'] + c['messages_out']} ({c['messages_in']} + "
            f"{c['messages_out']}) | {row['store_calls']} | {_units(row['rcu'], row['limit_rcu'])} "
            f"| {_units(row['wcu'], row['limit_wcu'])} | {c['duration_ms']} ms | ${cents(c['total'])} |")
    memories = sorted({c["memory_mb"] for c in costs.values()})
    lines += [
        "",
        f"**The model.** One Lambda invocation per event, on its route's function (arm64, "
        f"{' or '.join(f'{m} MB' for m in memories)}: `infra/template.yaml`). How long it runs is "
        f"modelled, not measured: each store call ~{STORE_CALL_MS} ms, one after another, and each "
        f"fan-out ⌈posts / {bound}⌉ waves of ~{POST_MS} ms (the domain posts up to "
        f"`MAX_CONCURRENT_POSTS` = {bound} at once, `handlers/domain/src/live.rs`), one fan-out "
        "after another; the CPU time between them (microseconds: see the micro-benchmarks) is "
        "left out. API Gateway messages: the frame in and every post out (an ack, a fan-out), "
        f"each metered in {metered // 1024} KB increments; `$connect` and `$disconnect` are "
        "counted as one message each, which the pricing page leaves open (an upper bound). "
        "Each rate limit is a record in DynamoDB, read (eventually consistent) and put per "
        f"event, in the units above and in brackets: {allowances(events)}. The room's counter, "
        "which gives each message and change its sequence number, is read and then moved in "
        f"the write's own transaction by: {', '.join(numbered(events))}. Reads are priced as "
        "they were sent: an eventually consistent one (the counter on a writer's first try, a "
        "connection's room row, a rate limit) at half a unit, on the assumption that the replica "
        "it reaches is current, which moto cannot show otherwise; when it is not, the adapter "
        "reads again strongly (one unit more) and, for the counter, sends its transaction again.",
        "",
    ]
    send = events.get("send")
    if send:
        c = costs["send"]
        p = c["parts"]
        lines += [
            f"A message in a {send['room_members']}-member room, per million: API Gateway "
            f"${cents(p['messages'])} ({c['messages_in'] + c['messages_out']} million messages: "
            f"the frame in, an ack, {c['messages_out'] - 1} posts), Lambda "
            f"${cents(p['lambda_requests'] + p['lambda_duration'])} (requests "
            f"${cents(p['lambda_requests'])}, {c['gb_seconds'] * 1e6:,.0f} GB-s "
            f"${cents(p['lambda_duration'])}), DynamoDB ${cents(p['reads'] + p['writes'])} "
            f"({send['rcu']:.1f} RCU and {send['wcu']:.1f} WCU each): **${cents(c['total'])}**.",
        ]
        capacity = results / "capacity.json"
        if capacity.exists():
            rows = [r for r in json.loads(capacity.read_text())
                    if r["room_members"] == send["room_members"]]
            same = all(math.isclose(r["rcu_model"] + r.get("limit_rcu", 0), send["rcu"])
                       and math.isclose(r.get("wcu_model", 0) + r.get("limit_wcu", 0), send["wcu"])
                       for r in rows)
            if rows:
                lines.append("It reads and writes what the read capacity per send measures "
                             f"in a room of {send['room_members']} ({send['rcu']:.1f} RCU, "
                             f"{send['wcu']:.1f} WCU with the rate limit)." if same else
                             "**It does not match the read capacity per send**: one of the "
                             "two measurements misses a call.")
    minutes = price["websocket_connection_minutes"] * 8 * 60 * 30
    lines += [
        "",
        "Connection-minutes are billed by time, not per event: "
        f"${price['websocket_connection_minutes'] * 1e6:.2f} per million; a member online 8 "
        f"hours a day for 30 days is 14,400 minutes, ${minutes:.4f} a month.",
        "",
    ]

    measured = [key for key in EVENTS if key in events]
    missing = [EVENTS[key] for key in EVENTS if key not in events]
    rows = [(COVERAGE_TARGET,
             f"{len(measured)} of {len(EVENTS)}" + (f" (missing: {', '.join(missing)})" if missing else ""),
             "met" if not missing else "**missed**")]
    stated = stated_in_deploy(root)
    if not send:
        rows.append((DEPLOY_TARGET, "not measured", "—"))
    else:
        figure = cents(costs["send"]["total"])
        said = f"${stated} stated" if stated is not None else "no figure stated"
        rows.append((DEPLOY_TARGET, f"{said}, ${figure} measured",
                     "met" if stated == figure else "**missed**"))
    return lines, rows


def main(argv: list[str]) -> int:
    results = Path(argv[1]) if len(argv) > 1 else ROOT / "target/bench"
    lines, targets = section(results)
    print("\n".join(lines))
    print("| target | measured | verdict |\n|---|---|---|")
    print("\n".join(f"| {t} | {m} | {v} |" for t, m, v in targets))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
