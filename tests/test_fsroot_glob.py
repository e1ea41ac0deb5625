"""Root.glob's scandir path matches glob.glob, and its realpath shortcut matches os.path.realpath."""

import glob
import os
from pathlib import Path

from gwlint.fsroot import Root


def test_glob_matches_glob_module(tmp_path):
    root = tmp_path / "root"
    d = root / "etc/nginx/sites-enabled"
    d.mkdir(parents=True)
    for name in ("a.conf", "b.conf", ".hidden.conf", "c.txt", "[x].conf", "sub.conf.d"):
        (d / name).write_text("")
    (d / "dir.conf").mkdir()
    (d / "link.conf").symlink_to(d / "a.conf")
    outside = tmp_path / "outside.conf"
    outside.write_text("")
    (d / "out.conf").symlink_to(outside)
    (root / "etc/nginx/real").mkdir()
    (root / "etc/nginx/alias").symlink_to(root / "etc/nginx/real")
    (root / "etc/nginx/real/z.conf").write_text("")
    r = Root(root)
    patterns = ["*.conf", "*", ".*", "?.conf", "[ab].conf", "*.d", "nomatch*"]
    for dirname in (d, root / "etc/nginx/alias", root / "missing"):
        for pattern in patterns:
            text = str(dirname / pattern)
            expected = [Path(p) for p in sorted(glob.glob(text))
                        if os.path.realpath(p) == str(r.real) or os.path.realpath(p).startswith(str(r.real) + "/")]
            assert Root(root).glob(dirname / pattern) == expected, text
    fresh = Root(root)
    for p in fresh.glob(d / "*") + fresh.glob(root / "etc/nginx/alias/*"):
        assert fresh.realpath(p) == os.path.realpath(p)
