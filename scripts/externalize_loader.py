#!/usr/bin/env python3
"""Trunk post-build hook: move the inline module script Trunk writes into index.html into its
own content-hashed file, so the page runs under a CSP without 'unsafe-inline' (script-src
'self' 'wasm-unsafe-eval'). Idempotent: an index.html without inline scripts is left alone."""

import hashlib
import os
import re
import sys
from pathlib import Path

INLINE = re.compile(r'<script type="module"(?P<attrs>[^>]*)>(?P<code>.+?)</script>', re.S)


def main() -> int:
    staging = Path(os.environ.get("TRUNK_STAGING_DIR", "dist"))
    index = staging / "index.html"
    html = index.read_text(encoding="utf-8")
    moved = 0

    def externalize(match: re.Match) -> str:
        nonlocal moved
        if "src=" in match.group("attrs"):
            return match.group(0)
        code = match.group("code").strip() + "\n"
        name = f"loader-{hashlib.sha256(code.encode()).hexdigest()[:16]}.js"
        (staging / name).write_text(code, encoding="utf-8")
        moved += 1
        return f'<script type="module" src="/{name}"></script>'

    html = INLINE.sub(externalize, html)
    index.write_text(html, encoding="utf-8")
    if "<script>" in html or re.search(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", html):
        print("externalize_loader: an inline script is left in index.html", file=sys.stderr)
        return 1
    print(f"externalize_loader: moved {moved} inline script(s) out of index.html")
    return 0


if __name__ == "__main__":
    sys.exit(main())
