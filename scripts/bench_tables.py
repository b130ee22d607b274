"""The fixed-rate load scenarios' tables for docs/BENCHMARKS.md: latency percentiles beside the
bare baseline, what was checked, what was recovered from history. bench_report.py renders
`make bench`'s runs with these, and bench_device.py the lent machine's."""

import json
import statistics
from pathlib import Path


def load_results(directory: Path):
    """(name, runs) per scenario, in the order they ran: `scenario-<i>.name` and `load-<i>-<run>.json`."""
    scenarios = []
    for name_file in sorted(directory.glob("scenario-*.name"), key=lambda p: int(p.stem.split("-")[1])):
        index = name_file.stem.split("-")[1]
        runs = []
        for path in sorted(directory.glob(f"load-{index}-*.json")):
            try:
                runs.append(json.loads(path.read_text()))
            except json.JSONDecodeError:
                runs.append(None)
        scenarios.append((name_file.read_text().strip(), [r for r in runs if r]))
    return scenarios


def spread(values):
    values = [v for v in values if v is not None]
    if not values:
        return None, None, None
    return statistics.median(values), min(values), max(values)


def fmt(value, unit="", digits=2):
    return "—" if value is None else f"{value:.{digits}f}{unit}"


def cell(values, unit=" ms", digits=2):
    med, lo, hi = spread(values)
    if med is None:
        return "—"
    return f"{med:.{digits}f}{unit} ({lo:.{digits}f}–{hi:.{digits}f})"


def load_sections(scenarios, heading="###"):
    """`scenarios`: (name, runs) at one rate each. Returns the markdown lines, the median p99
    ratio to the baseline of the 1,000-client scenario, and the flooder's effect on the others'
    p99 (None where not run)."""
    lines = []
    ratio_1000 = None
    p99_by_name = {}
    flood_ratio = None
    for name, runs in scenarios:
        confab = [r["confab"] for r in runs]
        base = [r["baseline"] for r in runs if r.get("baseline")]
        ratios = [r["p99_ratio"] for r in runs if r.get("p99_ratio")]
        lines += [f"{heading} {name}", ""]
        if not confab:
            lines += ["No run completed.", ""]
            continue
        lines += [
            "| | p50 | p95 | p99 | max | deliveries/s |",
            "|---|---|---|---|---|---|",
        ]
        for who, reports in (("Confab", confab), ("bare baseline", base)):
            if not reports:
                continue
            lat = lambda key: [rep["latency"][key] for rep in reports]  # noqa: E731
            lines.append(
                f"| {who} | {cell(lat('p50_ms'))} | {cell(lat('p95_ms'))} | {cell(lat('p99_ms'))} | "
                f"{cell(lat('max_ms'))} | {cell([rep['deliveries_per_sec'] for rep in reports], '', 0)} |"
            )
        p99_by_name[name] = spread([rep["latency"]["p99_ms"] for rep in confab])[0]
        floods = [rep["flood"] for rep in confab if rep.get("flood")]
        if floods:
            sent, accepted, refused = (sum(f[k] for f in floods) for k in ("sent", "accepted", "refused"))
            lines += ["", f"The flooder (500 frames/s into the room) sent {sent:,} frames over {len(floods)} runs: "
                      f"{accepted:,} stored, {refused:,} refused with `rate_limited`. The figures above are "
                      "everyone else's."]
            plain = p99_by_name.get(name.replace(", one flooder", ""))
            if plain:
                flood_ratio = p99_by_name[name] / plain
                lines.append(f"Others' p99 with the flooder / without: **{flood_ratio:.2f}×**.")
        keys = ("lost", "duplicated", "out_of_order", "expected_deliveries", "recovered_by_gap",
                "recovered_by_reconnect", "recovered_at_tail", "dropped_by_server")
        totals = {k: sum(rep.get(k, 0) for rep in confab) for k in keys}
        recovered = totals["recovered_by_gap"] + totals["recovered_by_reconnect"] + totals["recovered_at_tail"]
        lines += [
            "",
            f"Deliveries checked: {totals['expected_deliveries']:,} over {len(confab)} runs; "
            f"lost **{totals['lost']}**, duplicated **{totals['duplicated']}**, out of order "
            f"**{totals['out_of_order']}**.",
        ]
        if recovered or totals["dropped_by_server"]:
            gaps = [rep["gap_recovery"] for rep in confab if rep.get("gap_recovery", {}).get("samples")]
            lines.append(
                f"Recovered from history: **{totals['recovered_by_gap']:,}** by gap detection while "
                f"connected, **{totals['recovered_by_reconnect']:,}** after a reconnect, "
                f"**{totals['recovered_at_tail']:,}** at the end of the run (a post lost after the "
                f"room's last message); sockets dropped by the server: {totals['dropped_by_server']:,}."
                + (f" A gap closed {cell([g['p50_ms'] for g in gaps], ' ms', 0)} (median; max "
                   f"{max(g['max_ms'] for g in gaps):.0f} ms) after the message that revealed it." if gaps else "")
            )
        if ratios:
            med, lo, hi = spread(ratios)
            lines.append(f"p99 Confab / baseline: **{med:.2f}×** ({lo:.2f}–{hi:.2f}).")
            if name.startswith("1,000"):
                ratio_1000 = med
        lines.append("")

    return lines, ratio_1000, flood_ratio
