"""`gwlint server` end to end: the real server process over stdio, driven by a small LSP client."""

import json
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from rule_trees import POOL

pytest.importorskip("pygls", reason="gwlint[server] not installed")


SITE = """server {
    listen 80;
    root /var/www/html;
    location ~ \\.php$ {
        include fastcgi.conf;
        fastcgi_pass unix:/run/php/php8.2-fpm.sock;
        fastcgi_read_timeout 30s;
    }
}
"""

NGINX = "user www-data;\nevents {}\nhttp {\n    include /etc/nginx/sites-enabled/*;\n}\n"


class Client:
    """JSON-RPC over the server's stdin/stdout; notifications and responses land in queues."""

    def __init__(self, cwd: Path):
        self.proc = subprocess.Popen([sys.executable, "-m", "gwlint", "server"], cwd=cwd, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.messages: queue.Queue = queue.Queue()
        self.diagnostics: dict[str, list] = {}
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        out = self.proc.stdout
        while True:
            length = None
            while True:
                header = out.readline()
                if not header:
                    return
                if header in (b"\r\n", b"\n"):
                    break
                if header.lower().startswith(b"content-length:"):
                    length = int(header.split(b":")[1])
            self.messages.put(json.loads(out.read(length)))

    def send(self, message: dict) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def notify(self, method: str, params: dict) -> None:
        self.send({"method": method, "params": params})

    def request(self, method: str, params, timeout: float = 60) -> dict:
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        return self._wait(lambda m: m.get("id") == self.next_id and "method" not in m, timeout)

    def _wait(self, match, timeout: float) -> dict:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                message = self.messages.get(timeout=0.2)
            except queue.Empty:
                continue
            if message.get("method") == "textDocument/publishDiagnostics":
                self.diagnostics[message["params"]["uri"]] = message["params"]["diagnostics"]
            if match(message):
                return message
        raise AssertionError(f"no matching message in {timeout} s; diagnostics: {self.diagnostics}")

    def wait_diagnostics(self, uri: str, check, timeout: float = 60) -> list:
        if uri in self.diagnostics and check(self.diagnostics[uri]):
            return self.diagnostics[uri]
        message = self._wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                             and m["params"]["uri"] == uri and check(m["params"]["diagnostics"]), timeout)
        return message["params"]["diagnostics"]

    def close(self) -> None:
        try:
            self.request("shutdown", None, timeout=10)
            self.notify("exit", {})
            self.proc.wait(timeout=10)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
            for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
                stream.close()


@pytest.fixture
def tree(tmp_path):
    files = {"etc/nginx/nginx.conf": NGINX, "etc/nginx/sites-enabled/app": SITE,
             "etc/nginx/fastcgi.conf": "fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;\n",
             "etc/php/8.2/fpm/php-fpm.conf": "[global]\ninclude=/etc/php/8.2/fpm/pool.d/*.conf\n",
             "etc/php/8.2/fpm/pool.d/www.conf": POOL}
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    return tmp_path


@pytest.fixture
def client(tree):
    c = Client(tree)
    c.request("initialize", {"processId": None, "rootUri": tree.as_uri(), "capabilities": {},
                             "initializationOptions": {"docsUrl": "https://example.invalid/rules/{code}"}})
    c.notify("initialized", {})
    yield c
    c.close()


def open_doc(client: Client, path: Path, language: str = "nginx") -> str:
    uri = path.as_uri()
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": language, "version": 1,
                                                            "text": path.read_text()}})
    return uri


def change(client: Client, uri: str, text: str, version: int) -> None:
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                             "contentChanges": [{"text": text}]})


def apply(text: str, edits: list[dict]) -> str:
    """Apply LSP TextEdits (bottom-up) to `text`."""
    lines = text.split("\n")

    def offset(pos):
        return sum(len(line) + 1 for line in lines[:pos["line"]]) + pos["character"]

    for edit in sorted(edits, key=lambda e: offset(e["range"]["start"]), reverse=True):
        start, end = offset(edit["range"]["start"]), offset(edit["range"]["end"])
        text = text[:start] + edit["newText"] + text[end:]
    return text


def test_pool_change_lights_up_the_vhost_and_the_quick_fix_clears_it(client, tree):
    site_path = tree / "etc/nginx/sites-enabled/app"
    pool_path = tree / "etc/php/8.2/fpm/pool.d/www.conf"
    site, pool = open_doc(client, site_path), open_doc(client, pool_path, "ini")
    assert client.wait_diagnostics(site, lambda d: d == []) == []

    change(client, pool, POOL.replace("php8.2-fpm.sock", "php8.3-fpm.sock"), 2)  # unsaved: disk unchanged
    (diag,) = client.wait_diagnostics(site, lambda d: any(x["code"] == "GW301" for x in d))
    assert diag["range"]["start"]["line"] == 5 and diag["severity"] == 1 and diag["source"] == "gwlint"
    assert diag["codeDescription"]["href"] == "https://example.invalid/rules/GW301"
    (related,) = diag["relatedInformation"]
    assert related["location"]["uri"] == pool and related["location"]["range"]["start"]["line"] == 2

    actions = client.request("textDocument/codeAction", {
        "textDocument": {"uri": site}, "range": diag["range"], "context": {"diagnostics": [diag]}})["result"]
    titles = [a["title"] for a in actions]
    assert titles[0].startswith("GW301: point fastcgi_pass at unix:/run/php/php8.3-fpm.sock")
    assert "Suppress GW301 on this line" in titles and "gwlint: fix all safe fixes in this file" in titles
    fixed = apply(SITE, actions[0]["edit"]["changes"][site])
    assert "        fastcgi_pass unix:/run/php/php8.3-fpm.sock;\n" in fixed
    change(client, site, fixed, 2)
    assert client.wait_diagnostics(site, lambda d: d == []) == []


def test_suppress_action_inserts_a_comment_with_a_reason_placeholder(client, tree):
    site = open_doc(client, tree / "etc/nginx/sites-enabled/app")
    change(client, site, SITE.replace("php8.2", "php8.1"), 2)
    (diag,) = client.wait_diagnostics(site, lambda d: len(d) == 1)
    actions = client.request("textDocument/codeAction", {
        "textDocument": {"uri": site}, "range": diag["range"], "context": {"diagnostics": [diag]}})["result"]
    (suppress,) = [a for a in actions if a["title"].startswith("Suppress")]
    text = apply(SITE.replace("php8.2", "php8.1"), suppress["edit"]["changes"][site])
    assert "        # gwlint: disable-next-line=GW301 -- TODO: say why\n        fastcgi_pass" in text
    change(client, site, text, 3)
    assert client.wait_diagnostics(site, lambda d: d == []) == []


def test_hover_shows_the_route_and_the_effective_timeout(client, tree):
    site = open_doc(client, tree / "etc/nginx/sites-enabled/app")
    client.wait_diagnostics(site, lambda d: True)
    result = client.request("textDocument/hover", {"textDocument": {"uri": site},
                                                   "position": {"line": 5, "character": 10}})["result"]
    text = result["contents"]["value"]
    assert "pool 'www' (etc/php/8.2/fpm/pool.d/www.conf:3)" in text and "fastcgi_read_timeout 30s" in text


def test_broken_buffer_gives_one_diagnostic_and_the_server_lives_on(client, tree):
    site = open_doc(client, tree / "etc/nginx/sites-enabled/app")
    client.wait_diagnostics(site, lambda d: True)
    change(client, site, SITE.replace("    listen 80;\n", "    listen 80\n    }}\n"), 2)
    (diag,) = client.wait_diagnostics(site, lambda d: len(d) == 1)
    assert diag["severity"] == 1 and diag["range"]["start"]["line"] in (1, 2)

    unknown = client.request("gwlint/nothing", {})
    assert unknown["error"]["code"] == -32601  # method not found
    bad = client.request("textDocument/hover", {"textDocument": {}})
    assert "error" in bad
    change(client, site, SITE, 3)
    assert client.wait_diagnostics(site, lambda d: d == []) == []
    assert client.proc.poll() is None
