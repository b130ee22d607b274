"""The 16-core section of docs/BENCHMARKS.md: what `scripts/bench-device.sh run` measured on a
lent machine, imported into docs/bench/16-core/ by `scripts/bench-device.sh import`.

Issue #19 states its saturation and p99 targets at 16 cores, where the load generator no longer
shares two cores with the server. Sessions are lent such a machine only by a chance draw, for 15
minutes, so its figures are committed when measured and rendered by every later `make bench`,
each under the commit that measured it, apart from this machine's."""

from __future__ import annotations

import json
from pathlib import Path

import bench_scale
from bench_tables import load_results, load_sections

ROOT = Path(__file__).resolve().parent.parent
DEVICE_DIR = ROOT / "docs/bench/16-core"
TITLE = "## On 16 cores: a lent machine"


def demote(lines, suffix):
    """The shared sections' headings one level down, under this section, each marked."""
    out = []
    for line in lines:
        if line.startswith("#"):
            line = "#" + line + suffix
        out.append(line)
    return out


def not_measured():
    where = "on a lent 16-core machine"
    lines = [
        TITLE,
        "",
        "Not measured yet: no session has been lent a 16-core machine since the run was "
        "prepared. `scripts/bench-device.sh` holds it, ready: build and strip here, one bounded "
        "run there, import the results into `docs/bench/16-core/`, and the next `make bench` "
        "renders them here.",
        "",
    ]
    targets = [
        (f"1,000 clients: saturation ≥ {bench_scale.SATURATION_RATIO}× the baseline's ({where})",
         "not measured", "—"),
        bench_scale.p99_target(None, where),
        (f"a 10,000-connection room fully delivered within 2 s ({where})", "not measured", "—"),
    ]
    return lines, targets


def device_section(directory: Path = DEVICE_DIR):
    """Markdown lines and Targets rows for the lent machine's figures."""
    meta_path = directory / "machine.json"
    if not meta_path.exists():
        return not_measured()
    meta = json.loads(meta_path.read_text())
    cores = meta.get("cores", "?")
    where = f"on the lent machine, {cores} cores"
    everything = load_results(directory)
    ramps = [(name, runs) for name, runs in everything if bench_scale.is_ramp(runs)]
    fixed = [(name, runs) for name, runs in everything if not bench_scale.is_ramp(runs)]
    load_lines, ratio_1000, _ = load_sections(fixed)
    saturation_lines, saturation_targets = bench_scale.saturation_section(ramps, where)
    fanout_lines, fanout_targets = bench_scale.fanout_section(directory, where=where)
    dirty = " (with uncommitted changes)" if meta.get("dirty") else ""
    suffix = f" ({cores} cores)"
    biggest = json.loads((directory / "fanout-50000.json").read_text()) \
        if (directory / "fanout-50000.json").exists() else {"skipped": "not reached"}
    lines = [
        TITLE,
        "",
        f"Measured by `scripts/bench-device.sh` on {meta.get('date', '?')} at commit "
        f"`{meta.get('commit', '?')}`{dirty}, not this report's: {cores} × {meta.get('cpu', '?')}, "
        f"{meta.get('memory_gib', '?')} GiB RAM; Linux {meta.get('kernel', '?')}. Binaries "
        "built as above (`--profile local`) at that commit on the 2-core machine and copied "
        "there; the same scenarios, the 1,000-client one three times and the rest once (the "
        "ramps start higher, as the machine sustains more, and the 10,000-person ramp runs "
        "without the baseline, which has no accounts to set up). Nothing else ran on it."
        + ("" if biggest.get("skipped") else " The open-files limit and the ephemeral port "
           "range were raised there, so the 50,000-connection room ran."),
        "",
        "### Load" + suffix,
        "",
    ]
    lines += demote(load_lines, "")
    lines += demote(saturation_lines, suffix) + demote(fanout_lines, suffix)
    targets = saturation_targets + [bench_scale.p99_target(ratio_1000, where)] + fanout_targets
    targets += people_setup(ramps, where)
    return lines, targets


def people_setup(ramps, where):
    """The issue's own setup target, where the lent machine ran it: 10,000 clients in one room,
    each a person of their own (registered, connected, joined, each arrival announced)."""
    for name, runs in ramps:
        if name.startswith("10,000 clients") and runs and runs[0].get("confab"):
            setup = runs[0]["confab"].get("setup_secs")
            if setup is not None:
                verdict = "met" if setup <= bench_scale.SETUP_SECS else "**missed**"
                return [(f"setup of 10,000 clients, each its own person, under a minute ({where})",
                         f"{setup:.0f} s", verdict)]
    return []
