#!/usr/bin/env python3
"""Trunk post-build hook: cut the lazily loaded chunks (app/src/chunks.rs) out of the app.

Trunk cannot split a wasm module (trunk-rs/trunk#1022), and wasm-bindgen drops the relocations
a split needs, so this redoes Trunk's last steps from cargo's own output:

1. `wasm-split-cli` moves the code only a split point reaches into chunks, and writes a small
   link module that fetches a chunk the first time it is needed;
2. `wasm-bindgen` runs on what is left: the main module, the app's shell;
3. in release builds `wasm-opt -Oz` shrinks every module, terser minifies the JavaScript and
   lightningcss the stylesheets (the source keeps its comments and layout for its readers);
4. a split point's own stylesheet (style/<point>.css, which index.html has Trunk copy) becomes
   a chunk too: the link module loads it, with its integrity, beside the point's wasm, and the
   chunk counts as loaded once both are (so the chat never shows unstyled).

Every file is named by its content (the main module by everything it loads, as it names the
rest), so a browser's immutable cache never pairs parts of two builds; index.html and the
loader in it are pointed at the new names and their integrity hashes rewritten.
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


def minify_css(stage: Path, html: str, written: dict) -> str:
    """Minifies each stylesheet Trunk copied, renamed by its new content; returns index.html
    pointed at the new names (their integrity is recomputed with the rest)."""
    for css in sorted(stage.glob("*.css")):
        run("lightningcss", "--minify", css, "-o", css)
        data = css.read_bytes()
        name = f"{css.stem.rsplit('-', 1)[0]}-{short_hash(data)}.css"
        css.unlink()
        written[name] = data
        html = replaced(html, f"/{css.name}", f"/{name}")
    return html


# Loads a chunk's stylesheet once (again after a failure), resolving when it applies.
STYLESHEET_JS = """
function stylesheet(href, integrity) {
    let loading;
    return () => loading ??= new Promise((ok, fail) => {
        const link = document.createElement("link");
        link.rel = "stylesheet";
        link.href = new URL(href, import.meta.url);
        link.integrity = integrity;
        link.onload = ok;
        link.onerror = () => {
            link.remove();
            loading = undefined;
            fail(new Error(`stylesheet ${href} did not load`));
        };
        document.head.append(link);
    });
}
"""


def chunk_styles(stage: Path, link: str, tmp: Path, release: bool, written: dict) -> str:
    """Makes each split point's stylesheet that Trunk copied (`<point>.css`) a chunk the link
    module loads with that point's wasm; returns the link module."""
    for css in sorted(stage.glob("*.css")):
        point = css.stem
        loader = f"export const __wasm_split_load_{point} = wrapAsyncCb(makeLoad("
        if loader not in link:
            if re.fullmatch(r".+-[0-9a-f]{16}\.css", css.name):
                continue  # the shell's own stylesheet (Trunk named it main-<hash>.css)
            raise SystemExit(f"split_app: {css.name} is copied for split point `{point}`, "
                             "which the app no longer has: rename or drop the stylesheet")
        if release:
            out = tmp / css.name
            run("lightningcss", "--minify", css, "-o", out)
            data = out.read_bytes()
        else:
            data = css.read_bytes()
        css.unlink()
        hashed = f"chunk-{point}-{short_hash(data)}.css"
        written[hashed] = data
        sri = "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()
        start = link.index(loader)
        deps = link.index("\n, [", start) + len("\n, [")
        styles = f"__styles_{point}"
        link = (link[:start] + f'const {styles} = stylesheet("./{hashed}", "{sri}");\n'
                + link[start:deps] + f"{styles}, " + link[deps:])
    if "__styles_" in link:
        first = link.index("export const ")
        first = min(first, link.index("const __styles_"))
        link = link[:first] + STYLESHEET_JS + link[first:]
    return link


def name_chunks(link: str, chunks: list, written: dict) -> str:
    """Names each chunk by its content and points the link module at the new names; returns
    the link module. A module the link module never loads (a split point left with no code of
    its own, everything it reached shared or in the shell) is skipped: there is nothing to
    fetch."""
    for chunk in chunks:
        if f'"./{chunk.name}"' not in link:
            print(f"split_app: {chunk.name} is loaded by nothing (no code of its own): skipped")
            continue
        data = chunk.read_bytes()
        # split_<point> holds one split point's code; chunk_<n>, code two of them share.
        kind = chunk.stem.removeprefix("split_").replace("chunk_", "shared-")
        hashed = f"chunk-{kind}-{short_hash(data)}.wasm"
        link = replaced(link, f'"./{chunk.name}"', f'"./{hashed}"')
        written[hashed] = data
    return link


def build(source: Path, name: str, tmp: Path, release: bool) -> tuple:
    """Splits, binds and (in release) optimises; returns the main wasm, its JS and the chunks."""
    split, bound = tmp / "split", tmp / "bound"
    run("wasm-split-cli", source, split, "--target", "web", "--out-name", name)
    run("wasm-bindgen", "--target", "web", "--keep-lld-exports", "--no-typescript",
        "--out-dir", bound, "--out-name", name, split / f"{name}.wasm")
    main_wasm = bound / f"{name}_bg.wasm"
    chunks = sorted(p for p in split.glob("*.wasm") if p.stem != name)
    if release:
        for module in [main_wasm, *chunks]:
            run("wasm-opt", "-Oz", *WASM_FEATURES, "--strip-debug", "--strip-producers",
                module, "-o", module)
    return main_wasm, bound / f"{name}.js", chunks


def main() -> int:
    root = Path(__file__).resolve().parent.parent
    os.environ["PATH"] = os.pathsep.join(
        [str(root / "node_modules" / ".bin"), str(Path.home() / ".cargo" / "bin"),
         os.environ["PATH"]])
    stage = Path(os.environ["TRUNK_STAGING_DIR"])
    release = os.environ.get("TRUNK_PROFILE", "release") == "release"
    (trunk_js,) = stage.glob("app-*.js")
    old = trunk_js.stem
    with tempfile.TemporaryDirectory() as tmp:
        main_wasm, main_js, chunks = build(
            cargo_wasm("release" if release else "debug"), old, Path(tmp), release)
        link_js = Path(tmp, "split", LINK)
        link, js = link_js.read_text(encoding="utf-8"), main_js.read_text(encoding="utf-8")
        # Every file gets a name from its content, the main module's from everything, so an
        # immutable cache never serves one part of an older build with another of a newer.
        wasm = main_wasm.read_bytes()
        parts = [c.read_bytes() for c in chunks] + [c.read_bytes() for c in sorted(stage.glob("*.css"))]
        new = "app-" + short_hash(wasm + js.encode() + b"".join(parts))
        written = {f"{new}_bg.wasm": wasm}
        link = name_chunks(link, chunks, written)
        link = chunk_styles(stage, link, Path(tmp), release, written)
        link = replaced(link, f'"./{old}.js"', f'"./{new}.js"')
        link_bytes = write_js(link_js, link, release)
        link_name = f"split-{short_hash(link_bytes)}.js"
        written[link_name] = link_bytes
        # Only the JS import moves: the wasm still names its import module "./__wasm_split.js".
        js = replaced(js, f'from "./{LINK}"', f'from "./{link_name}"')
        js = replaced(js, f"{old}_bg.wasm", f"{new}_bg.wasm")
        written[f"{new}.js"] = write_js(main_js, js, release)

    trunk_js.unlink()
    (stage / f"{old}_bg.wasm").unlink()
    index = stage / "index.html"
    html = replaced(index.read_text(encoding="utf-8"), f"/{old}", f"/{new}")
    if release:
        html = minify_css(stage, html, written)
    for file, data in written.items():
        (stage / file).write_bytes(data)
    index.write_text(with_integrity(html, written), encoding="utf-8")
    print(f"split_app: {len(chunks)} chunk(s) cut out of {new}")
    return 0


def replaced(text: str, old: str, new: str) -> str:
    """`text` with `old` replaced, which must be there: a tool's output changed shape otherwise."""
    if old not in text:
        raise SystemExit(f"split_app: expected {old!r} in a generated file")
    return text.replace(old, new)


if __name__ == "__main__":
    sys.exit(main())
