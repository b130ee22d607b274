#!/usr/bin/env python3
"""Cold-start proxy: time from exec of each Lambda binary to its first request to a local
Lambda runtime API stub (`GET /2018-06-01/runtime/invocation/next`), i.e. until its init
(tracing, AWS config, clients, and reading the signing key set from Secrets Manager, here
a stub on the same local server) is done. Median of several runs per binary.

Usage: cold_start.py BIN_DIR OUT.json [RUNS]   (standard library only)
"""

import json
import os
import statistics
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FIRST_POLL = threading.Event()
KEYS_ARN = "arn:aws:secretsmanager:us-east-1:000000000000:secret:jwt-keys-cold"


class Runtime(BaseHTTPRequestHandler):
    """Answers nothing: the first `next` poll is the moment init ended."""

    def do_GET(self):  # noqa: N802 (http.server's naming)
        if self.path.endswith("/runtime/invocation/next"):
            FIRST_POLL.set()
            time.sleep(5)  # hold the poll open; the process is killed meanwhile
        self.send_response(404)
        self.end_headers()

    def do_POST(self):  # noqa: N802
        """Secrets Manager's GetSecretValue (JSON 1.1): the key set every function reads at init."""
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.headers.get("X-Amz-Target") != "secretsmanager.GetSecretValue":
            self.send_response(400)
            self.end_headers()
            return
        body = json.dumps({"ARN": KEYS_ARN, "Name": "jwt-keys", "VersionId": "v1",
                           "SecretString": json.dumps({"kid": "k-cold", "secret": "A" * 64})})
        self.send_response(200)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args):
        pass


def measure(binary: Path, port: int) -> float:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{port}",
        "AWS_LAMBDA_FUNCTION_NAME": binary.name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_LOG_FORMAT": "JSON",
        "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "cold", "AWS_SECRET_ACCESS_KEY": "start",
        "AWS_EC2_METADATA_DISABLED": "true",
        # Every variable a route may read (routes::Needs::env): a function missing one would
        # fail its init and never poll.
        "USERS_TABLE": "users", "CONNECTIONS_TABLE": "connections", "MESSAGES_TABLE": "messages",
        "THROTTLES_TABLE": "throttles",
        "WEBSOCKET_MANAGEMENT_ENDPOINT": "https://example.execute-api.us-east-1.amazonaws.com/production",
        "JWT_KEYS_SECRET": KEYS_ARN,
        "AWS_ENDPOINT_URL_SECRETS_MANAGER": f"http://127.0.0.1:{port}",
    }
    FIRST_POLL.clear()
    started = time.perf_counter()
    process = subprocess.Popen([str(binary)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        if not FIRST_POLL.wait(timeout=10):
            process.kill()
            why = process.communicate()[1].decode(errors="replace").strip()[-2000:]
            raise RuntimeError(f"{binary.name} never polled the runtime API: {why}")
        return (time.perf_counter() - started) * 1000
    finally:
        process.kill()
        process.wait()


def main(bin_dir: str, out: str, runs: str = "7") -> int:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Runtime)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    results = {}
    for source in sorted(Path("handlers/src/bin").glob("*.rs")):
        binary = Path(bin_dir) / source.stem
        samples = [measure(binary, port) for _ in range(int(runs))]
        results[source.stem] = {"median_ms": statistics.median(samples), "min_ms": min(samples),
                                "max_ms": max(samples), "bytes": binary.stat().st_size}
        print(f"{source.stem:14} {results[source.stem]['median_ms']:7.2f} ms")
    Path(out).write_text(json.dumps(results, indent=2))
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
