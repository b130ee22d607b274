#!/usr/bin/env python3
"""Trunk post-build hook: move every inline script Trunk writes into index.html into its own
content-hashed file, so the page runs under a CSP without 'unsafe-inline' (script-src 'self'
'wasm-unsafe-eval'). Idempotent: an index.html without inline scripts is left alone.

Two kinds of inline script reach this hook:
- the module loader every build writes (`<script type="module">`), in release and serve builds;
- in `trunk serve` builds only, Trunk's live-reload client (a classic `<script>`). Trunk fills
  its two placeholders in while it serves index.html, which it cannot do once the code lives in
  a .js file, so they are filled in here: the reload socket is on the origin that served the
  page (`window.location.host`, as Trunk does when it knows no better), under the public URL.
"""

import hashlib
import os
import re
import sys
from pathlib import Path

INLINE = re.compile(r"<script(?P<attrs>[^>]*)>(?P<code>.*?)</script>", re.S)
RELOAD_ADDRESS = "{{__TRUNK_ADDRESS__}}"
RELOAD_BASE = "{{__TRUNK_WS_BASE__}}"


def resolve_reload_placeholders(code: str, public_url: str) -> str:
    """The live-reload client's placeholders, as Trunk would fill them for this page."""
    for quote in ("'", "`", '"'):
        code = code.replace(f"{quote}{RELOAD_ADDRESS}{quote}", "window.location.host")
    code = code.replace(RELOAD_BASE, public_url)
    if RELOAD_ADDRESS in code:
        raise SystemExit("externalize_loader: Trunk's reload script changed shape")
    return code


def externalize(html: str, staging: Path, public_url: str) -> tuple:
    """index.html with each inline script moved into a file; returns it and how many moved."""
    moved = 0

    def move(match: re.Match) -> str:
        nonlocal moved
        attrs, code = match.group("attrs"), match.group("code").strip()
        if "src=" in attrs or not code:
            return match.group(0)
        reload_client = RELOAD_ADDRESS in code
        if reload_client:
            code = resolve_reload_placeholders(code, public_url)
        code += "\n"
        kind = "reload" if reload_client else "loader"
        name = f"{kind}-{hashlib.sha256(code.encode()).hexdigest()[:16]}.js"
        (staging / name).write_text(code, encoding="utf-8")
        moved += 1
        return f'<script{attrs} src="{public_url}{name}"></script>'

    return INLINE.sub(move, html), moved


def main() -> int:
    staging = Path(os.environ.get("TRUNK_STAGING_DIR", "dist"))
    public_url = os.environ.get("TRUNK_PUBLIC_URL", "/")
    if not public_url.endswith("/"):
        public_url += "/"
    index = staging / "index.html"
    html, moved = externalize(index.read_text(encoding="utf-8"), staging, public_url)
    index.write_text(html, encoding="utf-8")
    left = [m for m in INLINE.finditer(html) if "src=" not in m.group("attrs") and m.group("code").strip()]
    if left:
        print("externalize_loader: an inline script is left in index.html", file=sys.stderr)
        return 1
    print(f"externalize_loader: moved {moved} inline script(s) out of index.html")
    return 0


if __name__ == "__main__":
    sys.exit(main())
