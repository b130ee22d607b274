"""scripts/split_app.py's own steps on made-up build output: naming the chunks, and loading a
split point's stylesheet with its wasm. (The whole hook runs in every `make app`.)"""

import base64
import hashlib
import tempfile
import unittest
from pathlib import Path

import split_app

LINK = """
export const __wasm_split_load_chat = wrapAsyncCb(makeLoad(() => {
    const src = fetch(new URL("./split_chat.wasm", import.meta.url));
    return async (imports) => (WebAssembly.instantiateStreaming(src, imports));
}
, [__chunk_3]));
"""


class NameChunks(unittest.TestCase):
    def test_a_chunk_is_named_by_its_content_and_the_link_module_points_at_it(self):
        with tempfile.TemporaryDirectory() as tmp:
            chat = Path(tmp, "split_chat.wasm")
            chat.write_bytes(b"\0asm chat")
            written = {}
            link = split_app.name_chunks(LINK, [chat], written)
            (name,) = written
            self.assertRegex(name, r"^chunk-chat-[0-9a-f]{16}\.wasm$")
            self.assertIn(f'"./{name}"', link)
            self.assertNotIn("split_chat.wasm", link)

    def test_a_split_module_nothing_loads_is_skipped_not_a_failed_build(self):
        with tempfile.TemporaryDirectory() as tmp:
            chat, empty = Path(tmp, "split_chat.wasm"), Path(tmp, "split_auth.wasm")
            chat.write_bytes(b"\0asm chat")
            empty.write_bytes(b"\0asm")
            written = {}
            split_app.name_chunks(LINK, [empty, chat], written)
            self.assertEqual([n.split("-")[1] for n in written], ["chat"])


class ChunkStyles(unittest.TestCase):
    def test_a_split_points_stylesheet_loads_with_its_wasm_and_integrity(self):
        with tempfile.TemporaryDirectory() as tmp:
            stage = Path(tmp, "stage")
            stage.mkdir()
            Path(stage, "chat.css").write_text(".message { color: red }")
            Path(stage, "main-0123456789abcdef.css").write_text("body {}")
            written = {}
            link = split_app.chunk_styles(stage, LINK, Path(tmp), False, written)
            (name,) = written
            self.assertRegex(name, r"^chunk-chat-[0-9a-f]{16}\.css$")
            digest = base64.b64encode(hashlib.sha384(written[name]).digest()).decode()
            self.assertIn(f'stylesheet("./{name}", "sha384-{digest}")', link)
            self.assertIn("[__styles_chat, __chunk_3]", link)
            self.assertFalse(Path(stage, "chat.css").exists(), "the copy Trunk made is replaced")
            self.assertTrue(Path(stage, "main-0123456789abcdef.css").exists(), "the shell's stays")

    def test_a_stylesheet_no_split_point_loads_fails_the_build(self):
        with tempfile.TemporaryDirectory() as tmp:
            stage = Path(tmp, "stage")
            stage.mkdir()
            Path(stage, "settings.css").write_text("p {}")
            with self.assertRaises(SystemExit):
                split_app.chunk_styles(stage, LINK, Path(tmp), False, {})


if __name__ == "__main__":
    unittest.main()
