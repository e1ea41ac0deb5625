"""Root.realpath's per-directory memo gives what os.path.realpath gives."""

import os

from gwlint.load.fsroot import Root


def test_realpath_memo_matches_os_path_realpath(tmp_path):
    root = tmp_path / "root"
    d = root / "etc/nginx/sites-enabled"
    d.mkdir(parents=True)
    (d / "a.conf").write_text("")
    (d / "link.conf").symlink_to(d / "a.conf")
    (root / "etc/nginx/real").mkdir()
    (root / "etc/nginx/alias").symlink_to(root / "etc/nginx/real")
    (root / "etc/nginx/real/z.conf").write_text("")
    fresh = Root(root)
    for p in fresh.glob(d / "*") + [root / "etc/nginx/alias/z.conf", root / "etc/nginx/alias"]:
        assert fresh.realpath(p) == os.path.realpath(p)
