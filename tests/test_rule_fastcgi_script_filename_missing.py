from rule_trees import POOL

from gwlint.testing import lint

PARAMS = "fastcgi_param  QUERY_STRING  $query_string;\nfastcgi_param  SCRIPT_NAME  $fastcgi_script_name;\n"

SITE = """user www-data;
events {}
http {
    server {
        listen 80;
        root /var/www/html;
        location ~ \\.php$ {
            include fastcgi_params;
            fastcgi_pass unix:/run/php/php8.2-fpm.sock;  # expect: GW380
        }
    }
}
"""


def tree(site=SITE, **extra):
    files = {"etc/nginx/nginx.conf": site, "etc/nginx/fastcgi_params": PARAMS,
             "etc/nginx/fastcgi.conf": "fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;\n" + PARAMS,
             "etc/php/8.2/fpm/php-fpm.conf": "[global]\ninclude=/etc/php/8.2/fpm/pool.d/*.conf\n",
             "etc/php/8.2/fpm/pool.d/www.conf": POOL}
    files.update(extra)
    return files


def test_fastcgi_params_alone_is_flagged_and_fixed(tmp_path):
    r = lint(tree(), tmp_path, select=["GW380"])
    r.assert_expected()
    (f,) = r.findings
    assert "404" in f.message and "Primary script unknown" in f.message
    assert r.fixed_line("etc/nginx/nginx.conf", 8) == \
        "            fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;"
    assert r.relint().findings == []


def test_fastcgi_conf_is_clean(tmp_path):
    assert lint(tree(SITE.replace("fastcgi_params;", "fastcgi.conf;")), tmp_path, select=["GW380"]).findings == []


def test_param_inherited_from_server_is_clean(tmp_path):
    site = SITE.replace("        root /var/www/html;\n",
                        "        root /var/www/html;\n        include fastcgi.conf;\n") \
        .replace("            include fastcgi_params;\n", "")
    assert lint(tree(site), tmp_path, select=["GW380"]).findings == []


def test_location_params_hide_server_params(tmp_path):
    """nginx's array inheritance: a location defining any fastcgi_param inherits none."""
    site = SITE.replace("        root /var/www/html;\n",
                        "        root /var/www/html;\n        include fastcgi.conf;\n")
    assert lint(tree(site), tmp_path, select=["GW380"]).codes() == ["GW380"]


def test_unreadable_include_is_unknown_not_wrong(tmp_path):
    site = SITE.replace("fastcgi_params;", "snippets/missing.conf;").replace("  # expect: GW380", "")
    assert lint(tree(site), tmp_path, select=["GW380"]).codes() == ["GW901"]


def test_non_php_fastcgi_app_is_not_checked(tmp_path):
    site = SITE.replace("location ~ \\.php$", "location /cgi-bin/") \
        .replace("unix:/run/php/php8.2-fpm.sock;  # expect: GW380", "unix:/run/fcgiwrap.socket;")
    assert lint(tree(site), tmp_path, select=["GW380"]).findings == []


def test_inherited_params_get_no_fix(tmp_path):
    site = SITE.replace("        root /var/www/html;\n",
                        "        root /var/www/html;\n        include fastcgi_params;\n") \
        .replace("            include fastcgi_params;\n", "")
    r = lint(tree(site), tmp_path, select=["GW380"])
    (f,) = r.findings
    assert f.fix is None
