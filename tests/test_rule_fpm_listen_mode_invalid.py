from functools import partial

from gwlint import testing

# Socket and account rules, tested apart from php-fpm's start-up checks (GW223): these pools omit pm.*
lint = partial(testing.lint, ignore=("GW223",))

PATH = "etc/php/8.2/fpm/pool.d/www.conf"
POOL = """[www]
user = www-data
listen = /run/php/php8.2-fpm.sock
listen.owner = www-data
listen.group = www-data
listen.mode = {mode}  ; expect: {expect}
"""


def tree(mode, expect="GW202"):
    return {"etc/php/8.2/fpm/php-fpm.conf": "[global]\ninclude=/etc/php/8.2/fpm/pool.d/*.conf\n",
            PATH: POOL.format(mode=mode, expect=expect)}


def test_symbolic_mode_is_flagged_and_fixed(tmp_path):
    r = lint(tree("rw-rw----"), tmp_path)
    r.assert_expected()
    (f,) = r.findings
    assert "reads it as 0000" in f.message and "(13: Permission denied)" in f.message
    assert r.fixed_line(PATH, 6) == "listen.mode = 0660  ; expect: GW202"
    assert r.relint().findings == []


def test_python_octal_literal_is_fixed(tmp_path):
    r = lint(tree("0o660"), tmp_path)
    assert r.fixed_line(PATH, 6).startswith("listen.mode = 0660")


def test_non_octal_digit_shows_the_truncated_mode_and_has_no_fix(tmp_path):
    r = lint(tree("0668", "GW202, GW203"), tmp_path)  # 066 is world-writable too
    r.assert_expected()
    (f,) = [f for f in r.findings if f.code == "GW202"]
    assert "reads it as 0066" in f.message and f.fix is None


def test_octal_modes_are_clean(tmp_path):
    for mode in ("0660", "660", "0600"):
        assert lint(tree(mode, "nothing"), tmp_path).findings == []
