from rule_trees import POOL as BASE_POOL
from rule_trees import site_tree

from gwlint.testing import lint

POOL = BASE_POOL + "pm.status_path = /status\n"

SITE = """user www-data;
events {}
http {
    server {
        listen 80;
        root /var/www/html;
        location ~ \\.php$ {
            include fastcgi.conf;
            fastcgi_pass unix:/run/php/php8.2-fpm.sock;
        }
        location = /status {  # expect: GW384
            include fastcgi.conf;
            fastcgi_pass unix:/run/php/php8.2-fpm.sock;
        }
    }
}
"""


def tree(site=SITE, pool=POOL):
    return site_tree(site, pool)


def test_open_status_location_is_flagged_with_the_pool_setting(tmp_path):
    r = lint(tree(), tmp_path, select=["GW384"])
    r.assert_expected()
    (f,) = r.findings
    assert [(x.path, x.line) for x in f.related] == [("etc/php/8.2/fpm/pool.d/www.conf", 8)]


def test_allow_deny_in_scope_is_clean(tmp_path):
    site = SITE.replace("location = /status {  # expect: GW384\n",
                        "location = /status {\n            allow 127.0.0.1;\n            deny all;\n")
    assert lint(tree(site), tmp_path, select=["GW384"]).findings == []


def test_server_level_deny_is_inherited(tmp_path):
    site = SITE.replace("        root /var/www/html;\n", "        root /var/www/html;\n        deny all;\n") \
        .replace("  # expect: GW384", "")
    assert lint(tree(site), tmp_path, select=["GW384"]).findings == []


def test_regex_location_matching_the_path(tmp_path):
    site = SITE.replace("location = /status {", "location ~ ^/(status|ping)$ {")
    assert lint(tree(site), tmp_path, select=["GW384"]).codes() == ["GW384"]


def test_status_path_that_no_location_sends_to_fpm_is_clean(tmp_path):
    site = SITE.replace("location = /status {  # expect: GW384", "location = /status {\n            return 404;") \
        .replace("            include fastcgi.conf;\n            fastcgi_pass unix:/run/php/php8.2-fpm.sock;\n        }\n    }",
                 "        }\n    }")
    assert lint(tree(site), tmp_path, select=["GW384"]).findings == []


def test_loopback_only_server_is_clean(tmp_path):
    site = SITE.replace("listen 80;", "listen 127.0.0.1:8080;").replace("  # expect: GW384", "")
    assert lint(tree(site), tmp_path, select=["GW384"]).findings == []
