"""GW344: the size chain over a local nginx-to-nginx hop (the tree is GW343's)."""

from test_rule_proxy_read_timeout_below_backend_nginx import FRONT, tree

from gwlint.testing import lint

BODY = FRONT.replace("    proxy_read_timeout 5s;\n", "").replace("  # expect: GW343", "").replace(
    "        root /var/www/html;\n", "        root /var/www/html;\n        client_max_body_size 64m;\n")


def test_front_body_limit_below_what_the_back_server_allows_is_flagged_and_fixed_safely(tmp_path):
    files = tree(BODY, "request_terminate_timeout = 50s\n")
    files["etc/php/8.2/fpm/php.ini"] = "upload_max_filesize = 64M\npost_max_size = 64M\n"
    r = lint(files, tmp_path, select=["GW344"])
    (f,) = r.findings
    assert (f.line, f.severity.value) == (7, "warning")
    assert "client_max_body_size 1m (default) in front of nginx server app.internal" in f.message
    assert "accepts bodies up to 64m" in f.message and "413 Request Entity Too Large" in f.message
    assert f.fix.safe  # the back server set 64m itself
    assert r.fixed_line("etc/nginx/nginx.conf", 7) == "            client_max_body_size 64m;"
    assert r.relint().findings == []


def test_front_body_limit_below_a_raised_php_limit_only_is_an_unsafe_fix(tmp_path):
    nginx = BODY.replace("        client_max_body_size 64m;\n", "        client_max_body_size 0;\n")
    files = tree(nginx, "request_terminate_timeout = 50s\n")
    files["etc/php/8.2/fpm/php.ini"] = "upload_max_filesize = 32M\npost_max_size = 32M\n"
    r = lint(files, tmp_path, select=["GW344"])
    (f,) = r.findings
    assert "accepts bodies up to 32m" in f.message and not f.fix.safe


def test_php_defaults_behind_the_front_are_clean(tmp_path):
    r = lint(tree(BODY.replace("        client_max_body_size 64m;\n", ""), "request_terminate_timeout = 50s\n"),
             tmp_path, select=["GW344"])
    assert r.findings == []
