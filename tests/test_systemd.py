"""systemd units as systemd reads them: one file per name by directory precedence, drop-ins after it."""

import os

from gwlint.load.fsroot import Root
from gwlint.load.systemd import load_units
from gwlint.testing import write_tree


def units(tmp_path, files):
    return load_units(Root(write_tree(files, tmp_path)))


def test_etc_wins_over_run_over_lib_for_the_same_name(tmp_path):
    found = units(tmp_path, {
        "lib/systemd/system/app.service": "[Service]\nExecStart=/usr/bin/app --port 1\n",
        "usr/lib/systemd/system/app.service": "[Service]\nExecStart=/usr/bin/app --port 2\n",
        "run/systemd/system/app.service": "[Service]\nExecStart=/usr/bin/app --port 3\n",
        "lib/systemd/system/other.service": "[Service]\nExecStart=/usr/bin/other\n",
    })
    (app, other) = list(found)
    assert app.files == ("run/systemd/system/app.service",)
    assert app.get("Service", "ExecStart").value == "/usr/bin/app --port 3"
    assert other.files == ("lib/systemd/system/other.service",)


def test_dropins_apply_in_name_order_and_a_higher_one_replaces_a_same_named_lower_one(tmp_path):
    (unit,) = units(tmp_path, {
        "lib/systemd/system/app.service": "[Service]\nEnvironment=A=1\nPrivateTmp=true\n",
        "lib/systemd/system/app.service.d/10-tmp.conf": "[Service]\nPrivateTmp=false\n",
        "etc/systemd/system/app.service.d/10-tmp.conf": "[Service]\nPrivateTmp=yes\n",
        "etc/systemd/system/app.service.d/20-env.conf": "[Service]\nEnvironment=\nEnvironment=B=2\n",
    })
    assert unit.files == ("lib/systemd/system/app.service", "etc/systemd/system/app.service.d/10-tmp.conf",
                          "etc/systemd/system/app.service.d/20-env.conf")
    assert unit.is_true("Service", "PrivateTmp").path == "etc/systemd/system/app.service.d/10-tmp.conf"
    assert [s.value for s in unit.all("Service", "Environment")] == ["B=2"]  # the empty one reset the list


def test_a_masked_unit_is_left_out_and_continuation_lines_are_joined(tmp_path):
    root = write_tree({"lib/systemd/system/app.service": "[Service]\nExecStart=/usr/bin/app\n",
                       "lib/systemd/system/web.service": "[Service]\nExecStart=/usr/bin/web \\\n  --port 8000\n"},
                      tmp_path)
    (root / "etc/systemd/system").mkdir(parents=True)
    os.symlink("/dev/null", root / "etc/systemd/system/app.service")
    (web,) = load_units(Root(root))
    assert web.name == "web.service"
    start = web.get("Service", "ExecStart")
    assert (start.value, start.line) == ("/usr/bin/web --port 8000", 2)
