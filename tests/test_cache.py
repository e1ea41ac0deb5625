"""The parse cache: hits on unchanged text, misses on changed text, ignores damage, --no-cache."""

import marshal
import shutil
from pathlib import Path

import pytest

from gwlint.cli import app
from gwlint.engine.runner import run
from gwlint.load import cache as cache_mod
from gwlint.load.cache import DIR_NAME, open_cache
from gwlint.model.workspace import load_workspace
from gwlint.testing import CliRunner

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

pytestmark = pytest.mark.parse_cache


@pytest.fixture
def tree(tmp_path) -> Path:
    root = tmp_path / "tree"
    shutil.copytree(FIXTURES / "debian-socket-mismatch", root, ignore=shutil.ignore_patterns(DIR_NAME))
    return root


def lint(root: Path):
    """(findings as text, cache) for one cached run, saved like the CLI does."""
    cache = open_cache(root)
    ws = load_workspace(root, cache=cache)
    cache.save()
    return [f"{f.path}:{f.line}:{f.code}:{f.message}" for f in run(ws)], cache, ws


def shape(ws) -> list:
    return [(d.path, d.line, d.end_line, d.name, d.args, d.quoted, d.context)
            for i in ws.nginx for d in i.main.walk()]


def test_second_run_is_all_hits_and_gives_the_same_model(tree):
    first, cache1, ws1 = lint(tree)
    assert cache1.hits == 0 and cache1.misses > 5
    assert (tree / DIR_NAME / "parsed.marshal").is_file()
    second, cache2, ws2 = lint(tree)
    assert cache2.misses == 0 and cache2.hits == cache1.misses
    assert second == first and first  # the socket mismatch is still found
    assert shape(ws2) == shape(ws1)
    assert [p.settings for p in ws2.pools] == [p.settings for p in ws1.pools]


def test_changed_file_is_reparsed(tree):
    first, _, _ = lint(tree)
    pool = tree / "etc/php/8.2/fpm/pool.d/www.conf"
    pool.write_text(pool.read_text().replace("php8.2-fpm.sock", "php8.1-fpm.sock"))  # now matches nginx
    second, cache, ws = lint(tree)
    assert cache.misses == 1
    assert ws.pools[0].listen.path == "/run/php/php8.1-fpm.sock"
    assert second != first


def test_corrupt_or_foreign_cache_is_ignored_and_rewritten(tree):
    first, _, _ = lint(tree)
    path = tree / DIR_NAME / "parsed.marshal"
    for damage in (b"\x00garbage", path.read_bytes()[:100], marshal.dumps(("other version", {}))):
        path.write_bytes(damage)
        again, cache, _ = lint(tree)
        assert again == first and cache.hits == 0
    _, cache, _ = lint(tree)
    assert cache.misses == 0  # rewritten after the damage


def test_damaged_entry_is_a_miss(tree, monkeypatch):
    lint(tree)
    path = tree / DIR_NAME / "parsed.marshal"
    key, entries = marshal.loads(path.read_bytes())
    entries = {rel: (kind, digest, b"not marshal") for rel, (kind, digest, _) in entries.items()}
    path.write_bytes(marshal.dumps((key, entries)))
    _, cache, _ = lint(tree)
    assert cache.hits == 0 and cache.misses == len(entries)


def test_cli_writes_cache_and_no_cache_skips_it(tree):
    runner = CliRunner()
    result = runner.invoke(app, ["check", "--no-cache", str(tree)])
    assert result.exit_code == 1, result.output
    assert not (tree / DIR_NAME).exists()
    cached = runner.invoke(app, ["check", str(tree)])
    assert cached.exit_code == 1 and cached.output == result.output
    assert (tree / DIR_NAME / "parsed.marshal").is_file()
    assert (tree / DIR_NAME / ".gitignore").read_text() == "*\n"


def test_unwritable_cache_dir_does_not_fail_the_run(tree, monkeypatch):
    monkeypatch.setattr(cache_mod, "DIR_NAME", "missing/dir")
    (tree / "missing").write_text("a file where the cache dir would go")
    cache = cache_mod.open_cache(tree)
    load_workspace(tree, cache=cache)
    cache.save()  # OSError swallowed
    assert not (tree / "missing").is_dir()


def test_linting_slash_keeps_the_cache_out_of_it(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert open_cache("/").path == f"{tmp_path}/gwlint/system/parsed.marshal"


def test_cli_check_leaves_the_garbage_collector_as_it_found_it(tree):
    import gc

    assert gc.isenabled()
    CliRunner().invoke(app, ["check", str(tree)])
    assert gc.isenabled()


def test_system_dirs_and_slash_keep_their_cache_in_the_users_cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    for system in ("/", "/etc/nginx", "/usr/local/etc"):
        assert open_cache(system).path.startswith(f"{tmp_path}/xdg/gwlint/"), system
    assert open_cache("/etc/nginx").path != open_cache("/etc/php").path
    assert open_cache(f"{tmp_path}/repo").path == f"{tmp_path}/repo/{DIR_NAME}/parsed.marshal"


def test_a_single_file_gets_no_cache_beside_it(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    conf = tmp_path / "site.conf"
    conf.write_text("server {\n    listen 80;\n}\n")
    for context in ("auto", "main"):
        result = CliRunner().invoke(app, ["check", str(conf), "--context", context])
        assert result.exit_code in (0, 1), result.output
        assert sorted(p.name for p in tmp_path.iterdir()) == ["site.conf", "xdg"] or \
            sorted(p.name for p in tmp_path.iterdir()) == ["site.conf"]


def test_the_cache_digest_is_hashlibs_blake2b_without_importing_hashlib():
    import hashlib

    from gwlint.digest import blake2b

    data = "événement; listen 127.0.0.1:9000;\n".encode()
    assert blake2b(data, digest_size=16).digest() == hashlib.blake2b(data, digest_size=16).digest()
