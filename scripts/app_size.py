#!/usr/bin/env python3
"""The web app's transfer size: every wasm, js and css file Trunk wrote into dist/, raw and
gzip (level 9, as a CDN would serve it), against the 150 KB gzip budget for the shell.

    app_size.py DIST [--json OUT]     prints a table; writes the figures as JSON with --json
"""

import gzip
import json
import sys
from pathlib import Path

BUDGET_GZIP = 150 * 1024


def measure(dist: Path) -> dict:
    files = []
    for path in sorted(dist.iterdir()):
        if path.suffix in {".wasm", ".js", ".css", ".html"} and path.is_file():
            raw = path.read_bytes()
            files.append({"file": path.name, "kind": path.suffix[1:], "raw": len(raw),
                          "gzip": len(gzip.compress(raw, compresslevel=9, mtime=0))})
    if not any(f["kind"] == "wasm" for f in files):
        raise SystemExit(f"no .wasm in {dist}: run `make app` first")
    shell = [f for f in files if f["kind"] in {"wasm", "js", "css"}]
    return {
        "files": files,
        "shell_raw": sum(f["raw"] for f in shell),
        "shell_gzip": sum(f["gzip"] for f in shell),
        "budget_gzip": BUDGET_GZIP,
    }


def main(argv: list) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    sizes = measure(Path(argv[0]))
    print(f"{'file':<40} {'raw':>10} {'gzip':>10}")
    for f in sizes["files"]:
        print(f"{f['file']:<40} {f['raw']:>10,} {f['gzip']:>10,}")
    verdict = "within" if sizes["shell_gzip"] <= BUDGET_GZIP else "OVER"
    print(f"{'shell (wasm + js + css)':<40} {sizes['shell_raw']:>10,} {sizes['shell_gzip']:>10,}"
          f"  {verdict} the {BUDGET_GZIP // 1024} KB gzip budget")
    if len(argv) == 3 and argv[1] == "--json":
        Path(argv[2]).write_text(json.dumps(sizes, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
