#!/usr/bin/env python3
"""Trunk post-build hook: cut the lazily loaded chunks (app/src/chunks.rs) out of the app.

Trunk cannot split a wasm module (trunk-rs/trunk#1022), and wasm-bindgen drops the relocations
a split needs, so this redoes Trunk's last steps from cargo's own output:

1. `wasm-split-cli` moves the code only a split point reaches into chunks, and writes a small
   link module that fetches a chunk the first time it is needed;
2. `wasm-bindgen` runs on what is left: the main module, the app's shell;
3. in release builds `wasm-opt -Oz` shrinks every module and terser minifies the JavaScript.

The main module keeps the file names Trunk gave it (the loader and index.html point at them;
their integrity hashes are rewritten). The link module and the chunks get content-hashed names,
so a browser never pairs a cached chunk with a newer main module.
"""

import base64
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

# As the browsers that run the app support them (and as rustc's wasm32 target emits).
WASM_FEATURES = [
    "--enable-bulk-memory", "--enable-bulk-memory-opt", "--enable-nontrapping-float-to-int",
    "--enable-sign-ext", "--enable-mutable-globals", "--enable-reference-types",
    "--enable-multivalue",
]
LINK = "__wasm_split.js"


def run(*cmd) -> None:
    subprocess.run([str(c) for c in cmd], check=True)


def short_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def cargo_wasm(profile: str) -> Path:
    meta = subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--no-deps", "--offline"],
        check=True, capture_output=True, text=True)
    target = Path(json.loads(meta.stdout)["target_directory"])
    return target / "wasm32-unknown-unknown" / profile / "app.wasm"


def write_js(path: Path, code: str, minified: bool) -> bytes:
    """Writes a module, minified in release builds; returns what was written."""
    path.write_text(code, encoding="utf-8")
    if minified:
        run("terser", path, "--module", "--compress", "--mangle", "--output", path)
    return path.read_bytes()


def with_integrity(html: str, files: dict) -> str:
    """Recomputes the `integrity` of every <link> whose file this hook rewrote."""
    def fix(tag: re.Match) -> str:
        text = tag.group(0)
        href = re.search(r'href="/([^"]+)"', text)
        if not href or href.group(1) not in files or "integrity=" not in text:
            return text
        digest = base64.b64encode(hashlib.sha384(files[href.group(1)]).digest()).decode()
        return re.sub(r'integrity="[^"]*"', f'integrity="sha384-{digest}"', text)
    return re.sub(r"<link\b[^>]*>", fix, html)


def main() -> int:
    root = Path(__file__).resolve().parent.parent
    os.environ["PATH"] = os.pathsep.join(
        [str(root / "node_modules" / ".bin"), str(Path.home() / ".cargo" / "bin"),
         os.environ["PATH"]])
    stage = Path(os.environ["TRUNK_STAGING_DIR"])
    release = os.environ.get("TRUNK_PROFILE", "release") == "release"
    (main_js,) = stage.glob("app-*.js")
    name = main_js.stem
    source = cargo_wasm("release" if release else "debug")
    with tempfile.TemporaryDirectory() as tmp:
        split, bound = Path(tmp, "split"), Path(tmp, "bound")
        run("wasm-split-cli", source, split, "--target", "web", "--out-name", name)
        run("wasm-bindgen", "--target", "web", "--keep-lld-exports", "--no-typescript",
            "--out-dir", bound, "--out-name", name, split / f"{name}.wasm")
        modules = [bound / f"{name}_bg.wasm"] + sorted(
            p for p in split.glob("*.wasm") if p.stem != name)
        if release:
            for module in modules:
                run("wasm-opt", "-Oz", *WASM_FEATURES, "--strip-debug", "--strip-producers",
                    module, "-o", module)

        written = {}
        link = (split / LINK).read_text(encoding="utf-8")
        for chunk in modules[1:]:
            data = chunk.read_bytes()
            # split_<point> holds one split point's code; chunk_<n>, code two of them share.
            kind = chunk.stem.removeprefix("split_").replace("chunk_", "shared-")
            hashed = f"chunk-{kind}-{short_hash(data)}.wasm"
            if f'"./{chunk.name}"' not in link:
                raise SystemExit(f"split_app: the link module does not load {chunk.name}")
            link = link.replace(f'"./{chunk.name}"', f'"./{hashed}"')
            written[hashed] = data
        link_bytes = write_js(split / LINK, link, release)
        link_name = f"split-{short_hash(link_bytes)}.js"
        written[link_name] = link_bytes

        # Only the JS import moves: the wasm still names its import module "./__wasm_split.js".
        js = (bound / f"{name}.js").read_text(encoding="utf-8")
        if f'from "./{LINK}"' not in js:
            raise SystemExit("split_app: the main module does not import the link module")
        main_code = js.replace(f'from "./{LINK}"', f'from "./{link_name}"')
        written[main_js.name] = write_js(bound / f"{name}.js", main_code, release)
        written[f"{name}_bg.wasm"] = modules[0].read_bytes()

    for file, data in written.items():
        (stage / file).write_bytes(data)
    index = stage / "index.html"
    index.write_text(with_integrity(index.read_text(encoding="utf-8"), written), encoding="utf-8")
    print(f"split_app: {len(written) - 3} chunk(s) cut out of {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
