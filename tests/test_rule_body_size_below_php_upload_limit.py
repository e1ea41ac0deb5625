from rule_trees import nginx, tree

from gwlint.testing import lint

NGINX = "etc/nginx/nginx.conf"
RAISED = "upload_max_filesize = 64M\npost_max_size = 100M\n"


def test_default_body_size_below_raised_upload_limit(tmp_path):
    conf = nginx().replace("php8.2-fpm.sock;", "php8.2-fpm.sock;  # expect: GW341")
    r = lint(tree(conf, "", RAISED), tmp_path)
    r.assert_expected()
    (f,) = r.findings
    assert "client_max_body_size 1m (default)" in f.message
    assert "upload_max_filesize 64M (etc/php/8.2/fpm/php.ini:1)" in f.message and "413" in f.message
    assert f.fix is not None and not f.fix.safe
    assert r.fixed_line(NGINX, 7, unsafe=True) == "            client_max_body_size 64m;"
    assert r.relint(unsafe=True).findings == []


def test_post_max_size_caps_the_upload_and_server_level_value_is_named(tmp_path):
    conf = nginx(server="        client_max_body_size 10m;\n")
    r = lint(tree(conf, "php_admin_value[post_max_size] = 32M\n", RAISED.replace("100M", "8M")), tmp_path)
    found = [f for f in r.findings if f.code == "GW341"]
    assert len(found) == 1
    assert "client_max_body_size 10m (etc/nginx/nginx.conf:6, inherited from server)" in found[0].message
    assert "post_max_size 32M" in found[0].message and "pool 'www' php_admin_value" in found[0].message


def test_location_value_is_rewritten(tmp_path):
    conf = nginx(location="            client_max_body_size 2m;  # expect: GW341\n")
    r = lint(tree(conf, "", RAISED), tmp_path)
    r.assert_expected()
    assert r.fixed_line(NGINX, 7, unsafe=True) == "            client_max_body_size 64m;  # expect: GW341"


def test_clean_cases(tmp_path):
    assert lint(tree(None, "", "upload_max_filesize = 2M\npost_max_size = 8M\n"), tmp_path / "a").findings == []
    assert lint(tree(nginx(http="    client_max_body_size 0;\n"), "", RAISED), tmp_path / "b").findings == []
    assert lint(tree(nginx(location="            client_max_body_size 128M;\n"), "", RAISED),
                tmp_path / "c").findings == []
