"""A stand-in for an app backend the tree declares: answers every request with 200 `OK`.

python standin.py HOST PORT   (started and stopped by PID by harness.Servers)
"""

import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    def _ok(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", "3")
        self.end_headers()
        self.wfile.write(b"OK\n")

    do_GET = do_POST = do_HEAD = _ok

    def log_message(self, fmt, *args) -> None:
        sys.stderr.write(f"standin {self.server.server_address}: {fmt % args}\n")


if __name__ == "__main__":
    ThreadingHTTPServer((sys.argv[1], int(sys.argv[2])), Handler).serve_forever()
