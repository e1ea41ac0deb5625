"""The server's incremental re-lint (a MemoryCache kept from run to run) equals a fresh lint.

Seeded random edits, in random order, of every kind of file the model reads: buffer edits (the
overlay), edits on disk, closed buffers, files added to and removed from globbed directories, and
include lines changed. After each, the server's lint of the root must give exactly what a fresh
`gwlint.api.lint` gives (the same findings, or the same input error).
"""

import os
import random
import shutil
import time
from pathlib import Path

import pytest

from gwlint.api import lint
from gwlint.errors import InputError
from gwlint.load import cache as cache_module
from gwlint.load.inputs import Inputs
from gwlint.server import run as server_run

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
TREES = ["demo", "debian-socket-mismatch", "backends-vhosts-broken", "nginx-front-read-timeout",
         "debian-fpm-sock-alias-clean", "fpm-shared-socket", "realserver-socket-nginx-user"]
SWAPS = [("sites-enabled", "sites-available"), ("*.conf", "*"), ("pool.d", "pool.x"), ("8.2", "8.3"),
         ("listen = ", "listen = 127.0.0.1:90"), ("www-data", "nobody"), ("30s", "5s"), ("unix:", "unix:/x"),
         (";", ""), ("{", "")]


def outcome(lint_once, root: Path, overlay: dict[str, str]):
    try:
        _, findings = lint_once(root, dict(overlay))
    except InputError as exc:
        return ("error", exc.message, exc.path, exc.line)
    return sorted((f.path, f.line, f.code, f.message, f.severity.name,
                   tuple((r.path, r.line, r.label) for r in f.related),
                   f.fix.title if f.fix else None) for f in findings)


def fresh_lint(root: Path, overlay: dict[str, str]):
    return None, lint(Inputs(root, overlay=overlay)).findings


class Edits:
    """Random edits of a tree, each visible to an mtime check (a unique mtime on the file and,
    when a file comes or goes, on its directory), as on a file system with fine timestamps."""

    def __init__(self, root: Path, seed: int):
        self.root, self.rng = root, random.Random(seed)
        self.overlay: dict[str, str] = {}
        self.clock = time.time_ns() - 10**12
        self.added = 0

    def files(self) -> list[str]:
        return sorted(p.relative_to(self.root).as_posix() for p in self.root.rglob("*")
                      if p.is_file() and ".gwlint_cache" not in p.parts)

    def _touch(self, path: Path) -> None:
        self.clock += 10**6
        os.utime(path, ns=(self.clock, self.clock))

    def text(self, rel: str) -> str:
        return self.overlay.get(rel) or (self.root / rel).read_text(errors="surrogateescape")

    def mutate(self, text: str) -> str:
        lines = text.split("\n")
        i = self.rng.randrange(len(lines))
        kind = self.rng.choice(["swap", "swap", "digit", "comment", "delete", "duplicate"])
        if kind == "swap":
            old, new = self.rng.choice(SWAPS)
            lines[i] = lines[i].replace(old, new) if old in lines[i] else text.replace(old, new, 1).split("\n")[i]
        elif kind == "digit":
            lines[i] = "".join(str(self.rng.randrange(10)) if c.isdigit() and self.rng.random() < 0.5 else c
                               for c in lines[i])
        elif kind == "comment":
            lines[i] = "# " + lines[i]
        elif kind == "delete":
            del lines[i]
        else:
            lines.insert(i, lines[i])
        return "\n".join(lines)

    def step(self) -> str:
        files = self.files()
        rel = self.rng.choice(files)
        path = self.root / rel
        action = self.rng.choice(["buffer", "buffer", "buffer", "disk", "disk", "close", "add", "remove"])
        if action == "buffer":
            self.overlay[rel] = self.mutate(self.text(rel))
        elif action == "disk":
            path.write_text(self.mutate(self.text(rel)), errors="surrogateescape")
            self._touch(path)
        elif action == "close" and self.overlay:
            rel = self.rng.choice(sorted(self.overlay))
            del self.overlay[rel]
        elif action == "add":
            self.added += 1
            new = path.with_name(f"added{self.added}{path.suffix}")
            shutil.copyfile(path, new)
            self._touch(new)
            self._touch(new.parent)
        elif action == "remove" and len(files) > 3:
            path.unlink()
            self.overlay.pop(rel, None)
            self._touch(path.parent)
        return f"{action} {rel}"


@pytest.mark.parametrize("name", TREES)
@pytest.mark.parametrize("settled", [True, False], ids=["memos-kept", "recent-changes"])
def test_incremental_relint_equals_a_fresh_lint(tmp_path, monkeypatch, name, settled):
    root = tmp_path / name
    shutil.copytree(FIXTURES / name, root, symlinks=True)
    if settled:  # every change is told apart by its mtime (Edits sets them): keep what can be kept
        monkeypatch.setattr(cache_module, "SETTLE_NS", -(10**18))
    monkeypatch.setattr(server_run, "_caches", {})
    edits = Edits(root, seed=sum(map(ord, name)))
    history = []
    for _ in range(25):
        history.append(edits.step())
        overlay = dict(edits.overlay)
        incremental = outcome(server_run.lint_root, root, overlay)
        fresh = outcome(fresh_lint, root, overlay)
        assert incremental == fresh, "after: " + "; ".join(history)
    cache = server_run._caches[root]
    assert cache.hits > 0  # the cache was used, not bypassed


def test_an_edit_reparses_the_edited_file_only(tmp_path, monkeypatch):
    root = tmp_path / "demo"
    shutil.copytree(FIXTURES / "demo", root, symlinks=True)
    monkeypatch.setattr(server_run, "_caches", {})
    server_run.lint_root(root, {})
    cache = server_run._caches[root]
    site = "etc/nginx/sites-available/wordpress"
    before = cache.misses
    server_run.lint_root(root, {site: (root / site).read_text() + "\n# an edit\n"})
    assert cache.misses == before + 1


def test_the_server_publishes_only_diagnostics_that_changed(tmp_path, monkeypatch):
    pytest.importorskip("pygls", reason="gwlint[server] not installed")
    from lsprotocol import types as lsp

    from gwlint.server.lsp import GwlintServer

    root = tmp_path / "demo"
    shutil.copytree(FIXTURES / "demo", root, symlinks=True)
    monkeypatch.setattr(server_run, "_caches", {})
    server = GwlintServer()
    params = lsp.InitializeParams(capabilities=lsp.ClientCapabilities(), root_uri=root.as_uri())
    next(server.protocol.lsp_initialize(params), None)
    server.folders = [root]
    sent: list[lsp.PublishDiagnosticsParams] = []
    monkeypatch.setattr(server, "text_document_publish_diagnostics", sent.append)
    site = root / "etc/nginx/sites-available/wordpress"
    server.workspace.put_text_document(lsp.TextDocumentItem(site.as_uri(), "nginx", 1, site.read_text()))
    server.lint_root(root)
    assert {p.uri: len(p.diagnostics) for p in sent} == {
        site.as_uri(): 2, (root / "etc/php/8.2/fpm/pool.d/www.conf").as_uri(): 1}
    before = {p.uri: p.diagnostics for p in sent}
    sent.clear()
    server.lint_root(root)
    assert sent == []  # nothing changed: nothing sent
    fixed = site.read_text().replace("php8.1-fpm.sock", "php8.2-fpm.sock")
    server.workspace.put_text_document(lsp.TextDocumentItem(site.as_uri(), "nginx", 2, fixed))
    server.lint_root(root)
    assert [d.range.start.line + 1 for p in sent if p.uri == site.as_uri() for d in p.diagnostics] == [3]
    assert all(p.diagnostics != before[p.uri] for p in sent)
