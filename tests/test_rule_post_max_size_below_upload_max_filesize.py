from rule_trees import tree

from gwlint.testing import lint


def run(files, root):
    r = lint(files, root)
    r.codes_only = ("GW222",)
    r.findings = [f for f in r.findings if f.code == "GW222"]
    return r


def test_post_below_upload_in_php_ini(tmp_path):
    r = run(tree(None, "", "upload_max_filesize = 64M\npost_max_size = 8M ; expect: GW222\n"), tmp_path)
    r.assert_expected()
    (f,) = r.findings
    assert "post_max_size 8M" in f.message and "upload_max_filesize 64M (etc/php/8.2/fpm/php.ini:1)" in f.message
    assert [(x.path, x.line) for x in f.related] == [("etc/php/8.2/fpm/php.ini", 1)]


def test_pool_override_against_default_post_max_size(tmp_path):
    r = run(tree(None, "php_admin_value[upload_max_filesize] = 20M ; expect: GW222\n"), tmp_path)
    r.assert_expected()
    assert "post_max_size 8M (default)" in r.findings[0].message


def test_clean_cases(tmp_path):
    assert run(tree(None, "", "upload_max_filesize = 64M\npost_max_size = 0\n"), tmp_path / "a").findings == []
    assert run(tree(None, "", "upload_max_filesize = 8M\npost_max_size = 8M\n"), tmp_path / "b").findings == []
