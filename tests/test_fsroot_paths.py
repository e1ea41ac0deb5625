"""String paths (gwlint.load.fsroot) keep what pathlib gave: spelling, order, strict existence."""

import errno
import os

import pytest

from gwlint.load.discover import discover
from gwlint.load.fsroot import Root, clean, components, parts_below, path_order, stat_mode
from gwlint.load.roots import find_roots


@pytest.mark.parametrize(("given", "spelled"), [
    ("a//./b/", "a/b"), ("/", "/"), ("./", "."), ("", "."), ("/etc/nginx/", "/etc/nginx"),
    ("a/../b", "a/../b"),  # ".." kept: only the file system knows where it leads through a symlink
])
def test_clean_spells_a_path_as_pathlib_does(given, spelled):
    assert clean(given) == spelled


def test_parts_below_and_components():
    assert parts_below("/r/etc//nginx/", "/r") == ["etc", "nginx"]
    assert parts_below("/r", "/r") == [] and parts_below("/", "/") == []
    assert parts_below("/rx/etc", "/r") is None and parts_below("etc", "/") is None
    assert components("../x/./y") == ["..", "x", "y"]


def test_paths_sort_component_by_component():
    """`a/b/...` before `a/b.d/...` (a plain string sort puts "." before "/")."""
    assert sorted(["a/b.d/x", "a/b-c/x", "a/b/x"], key=path_order) == ["a/b/x", "a/b-c/x", "a/b.d/x"]


def test_walked_entries_and_found_roots_keep_that_order(tmp_path):
    for site in ("site.d", "site"):
        (tmp_path / site).mkdir()
        (tmp_path / site / "nginx.conf").write_text("events {}\n")
    found = discover(Root(tmp_path))
    assert found.nginx_entries == [f"{tmp_path}/site/nginx.conf", f"{tmp_path}/site.d/nginx.conf"]
    assert find_roots(str(tmp_path)) == [f"{tmp_path}/site", f"{tmp_path}/site.d"]


def test_found_roots_are_spelled_as_the_root_option_spells_them(tmp_path, monkeypatch):
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy/nginx.conf").write_text("events {}\n")
    monkeypatch.chdir(tmp_path)
    assert find_roots(".") == ["deploy"] == [clean("./deploy/")]


def test_stat_mode_is_none_only_for_what_is_missing(tmp_path):
    assert stat_mode(str(tmp_path / "missing")) is None
    assert stat_mode(str(tmp_path / "missing/below")) is None
    assert stat_mode(str(tmp_path)) is not None
    with pytest.raises(OSError) as caught:  # a name too long is an error to report, not "missing"
        stat_mode(str(tmp_path / ("a" * (os.pathconf(tmp_path, "PC_NAME_MAX") + 1))))
    assert caught.value.errno == errno.ENAMETOOLONG
