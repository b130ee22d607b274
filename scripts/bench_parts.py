"""Raw figures for docs/BENCHMARKS.md besides the load runs: criterion's estimates, the
Lambda zips' sizes, and the latency plot. bench_report.py calls these."""

import glob
import json
import os
import statistics
from pathlib import Path


def criterion_results():
    rows = []
    for path in sorted(glob.glob("target/criterion/**/new/estimates.json", recursive=True)):
        parts = Path(path).parts
        name = " / ".join(parts[parts.index("criterion") + 1:-2])
        mean_ns = json.loads(Path(path).read_text())["mean"]["point_estimate"]
        rows.append((name, mean_ns))
    return rows


def duration(ns: float) -> str:
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.2f} {unit}"
    return f"{ns:.0f} ns"


def zip_sizes():
    sizes = {}
    for path in glob.glob("target/lambda/*/bootstrap.zip"):
        sizes[Path(path).parent.name] = os.path.getsize(path)
    return dict(sorted(sizes.items()))


def svg(scenarios) -> str:
    """Grouped bars: p50, p95, p99 for Confab and the baseline, per scenario (medians)."""
    bars = []
    for name, runs in scenarios:
        for who in ("confab", "baseline"):
            reports = [r[who] for r in runs if r.get(who)]
            if not reports:
                continue
            values = [statistics.median(rep["latency"][k] for rep in reports) for k in ("p50_ms", "p95_ms", "p99_ms")]
            bars.append((f"{name} — {'Confab' if who == 'confab' else 'bare baseline'}", values))
    width, row, left = 900, 34, 330
    height = 60 + row * len(bars)
    top = max((max(v) for _, v in bars), default=1) or 1
    scale = (width - left - 170) / top  # room for the value labels
    colours = ("#4c9f70", "#e0a030", "#d0503c")
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           '<text x="10" y="20" font-size="14">Send → receipt latency (ms, median of runs): p50, p95, p99</text>']
    for i, (label, values) in enumerate(bars):
        y = 40 + i * row
        out.append(f'<text x="10" y="{y + 16}">{label}</text>')
        for j, value in enumerate(values):
            out.append(f'<rect x="{left}" y="{y + j * 9}" width="{max(value * scale, 1):.1f}" height="8" fill="{colours[j]}"/>')
        out.append(f'<text x="{left + values[2] * scale + 6:.1f}" y="{y + 24}">{values[0]:.1f} / {values[1]:.1f} / {values[2]:.1f}</text>')
    legend_y = height - 12
    for j, label in enumerate(("p50", "p95", "p99")):
        out.append(f'<rect x="{left + j * 70}" y="{legend_y - 9}" width="10" height="10" fill="{colours[j]}"/>')
        out.append(f'<text x="{left + j * 70 + 14}" y="{legend_y}">{label}</text>')
    out.append("</svg>")
    return "\n".join(out)
