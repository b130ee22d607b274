#!/usr/bin/env python3
"""The web app's transfer size: every wasm, js and css file Trunk wrote into dist/, raw and
gzip (level 9, as a CDN would serve it). The shell is what every visit loads before anything
else: the main module and its JavaScript, the loader, the link module and the styles, measured
against the 150 KB gzip budget. The chunks (`chunk-*.wasm`, see app/src/chunks.rs) load when a
page that needs one is first shown: the login form, or the chat.

    app_size.py DIST [--json OUT]     prints a table; writes the figures as JSON with --json
"""

import gzip
import json
import sys
from pathlib import Path

# 150 KB read strictly: 150,000 bytes, not 150 KiB.
BUDGET_GZIP = 150_000


def measure(dist: Path) -> dict:
    files = []
    for path in sorted(dist.iterdir()):
        if path.suffix in {".wasm", ".js", ".css", ".html"} and path.is_file():
            raw = path.read_bytes()
            files.append({"file": path.name, "kind": path.suffix[1:], "raw": len(raw),
                          "gzip": len(gzip.compress(raw, compresslevel=9, mtime=0))})
    if not any(f["kind"] == "wasm" for f in files):
        raise SystemExit(f"no .wasm in {dist}: run `make app` first")
    for f in files:
        f["part"] = "chunk" if f["file"].startswith("chunk-") else "shell"
    shell = [f for f in files if f["kind"] in {"wasm", "js", "css"} and f["part"] == "shell"]
    chunks = [f for f in files if f["part"] == "chunk"]
    return {
        "files": files,
        "shell_raw": sum(f["raw"] for f in shell),
        "shell_gzip": sum(f["gzip"] for f in shell),
        "chunks_raw": sum(f["raw"] for f in chunks),
        "chunks_gzip": sum(f["gzip"] for f in chunks),
        "budget_gzip": BUDGET_GZIP,
    }


def main(argv: list) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    sizes = measure(Path(argv[0]))
    print(f"{'file':<40} {'part':<6} {'raw':>10} {'gzip':>10}")
    for f in sizes["files"]:
        print(f"{f['file']:<40} {f['part']:<6} {f['raw']:>10,} {f['gzip']:>10,}")
    verdict = "within" if sizes["shell_gzip"] <= BUDGET_GZIP else "OVER"
    print(f"{'shell (wasm + js + css)':<47} {sizes['shell_raw']:>10,} {sizes['shell_gzip']:>10,}"
          f"  {verdict} the {BUDGET_GZIP:,}-byte gzip budget")
    print(f"{'chunks (loaded when first needed)':<47} {sizes['chunks_raw']:>10,}"
          f" {sizes['chunks_gzip']:>10,}")
    if len(argv) == 3 and argv[1] == "--json":
        Path(argv[2]).write_text(json.dumps(sizes, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
