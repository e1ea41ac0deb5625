from gwlint.testing import lint

POOL = """[www]
user = www-data
listen = /run/php/php8.2-fpm.sock
listen.owner = www-data
listen.group = www-data
pm = static
pm.max_children = 5
"""

NGINX = """user www-data;
events {}
http {
    server {
        listen 80;
        location ~ \\.php$ {
            fastcgi_pass unix:/run/php/php8.1-fpm.sock;  # old socket  # expect: GW301
        }
    }
}
"""


def tree(nginx=NGINX, pool=POOL):
    return {"etc/nginx/nginx.conf": nginx,
            "etc/php/8.2/fpm/php-fpm.conf": "[global]\ninclude=/etc/php/8.2/fpm/pool.d/*.conf\n",
            "etc/php/8.2/fpm/pool.d/www.conf": pool}


def test_socket_mismatch_is_flagged_with_pool_as_related(tmp_path):
    r = lint(tree(), tmp_path)
    r.assert_expected()
    (f,) = r.findings
    assert "php8.2-fpm.sock" in f.message and "502" in f.message and "(2: No such file or directory)" in f.message
    assert [(x.path, x.line) for x in f.related] == [("etc/php/8.2/fpm/pool.d/www.conf", 3)]


def test_fix_rewrites_target_keeping_comment_and_indent(tmp_path):
    r = lint(tree(), tmp_path)
    assert r.fixed_line("etc/nginx/nginx.conf", 7) == \
        "            fastcgi_pass unix:/run/php/php8.2-fpm.sock;  # old socket  # expect: GW301"
    assert r.relint().codes() == []


def test_matching_socket_is_clean(tmp_path):
    assert lint(tree(NGINX.replace("php8.1", "php8.2")), tmp_path).findings == []


def test_tcp_port_mismatch_mentions_connection_refused(tmp_path):
    nginx = NGINX.replace("unix:/run/php/php8.1-fpm.sock", "127.0.0.1:9001")
    r = lint(tree(nginx, POOL.replace("/run/php/php8.2-fpm.sock", "127.0.0.1:9000")), tmp_path)
    (f,) = r.findings
    assert "(111: Connection refused)" in f.message and "did you mean 127.0.0.1:9000" in f.message


def test_bare_port_pool_serves_a_service_name(tmp_path):
    nginx = NGINX.replace("unix:/run/php/php8.1-fpm.sock", "php:9000")
    assert lint(tree(nginx, POOL.replace("/run/php/php8.2-fpm.sock", "9000")), tmp_path).findings == []


def test_upstream_server_without_pool_is_flagged_at_server_line(tmp_path):
    nginx = NGINX.replace("unix:/run/php/php8.1-fpm.sock", "php").replace(
        "http {\n", "http {\n    upstream php {\n        server unix:/run/php/php8.1-fpm.sock;\n    }\n")
    r = lint(tree(nginx), tmp_path)
    (f,) = r.findings
    assert (f.path, f.line) == ("etc/nginx/nginx.conf", 5)
    assert any(x.line == 10 for x in f.related)


def test_variables_are_skipped(tmp_path):
    nginx = NGINX.replace("unix:/run/php/php8.1-fpm.sock", "$backend")
    assert lint(tree(nginx), tmp_path).findings == []


def test_no_fpm_config_means_no_finding(tmp_path):
    assert lint({"etc/nginx/nginx.conf": NGINX}, tmp_path).findings == []


def test_one_finding_per_unreachable_upstream_server(tmp_path):
    nginx = NGINX.replace("unix:/run/php/php8.1-fpm.sock;  # old socket  # expect: GW301", "php;").replace(
        "http {\n", "http {\n    upstream php {\n        server unix:/run/php/php8.1-fpm.sock;  # expect: GW301\n"
        "        server unix:/run/php/php8.2-fpm.sock;\n        server 127.0.0.1:9001;  # expect: GW301\n    }\n")
    lint(tree(nginx), tmp_path).assert_expected()


def test_upstream_server_marked_down_is_not_contacted(tmp_path):
    nginx = NGINX.replace("unix:/run/php/php8.1-fpm.sock;  # old socket  # expect: GW301", "php;").replace(
        "http {\n", "http {\n    upstream php {\n        server unix:/run/php/php8.1-fpm.sock down;\n"
        "        server unix:/run/php/php8.2-fpm.sock;\n    }\n")
    assert lint(tree(nginx), tmp_path).findings == []


def test_no_clear_match_names_the_alternatives_and_the_fix_is_unsafe(tmp_path):
    pools = POOL + "\n[legacy]\nlisten = /run/php/php7.4-fpm.sock\n" + POOL.split("\n", 3)[3]
    r = lint(tree(NGINX.replace("php8.1-fpm.sock", "php8.0-fpm.sock"), pools), tmp_path)
    (f,) = r.findings
    assert f.fix.safe is False
    assert "did you mean unix:/run/php/php8.2-fpm.sock (pool 'www')? Other pools: " \
           "unix:/run/php/php7.4-fpm.sock ('legacy')." in f.message
    assert [(x.path, x.line) for x in f.related] == [("etc/php/8.2/fpm/pool.d/www.conf", 3),
                                                     ("etc/php/8.2/fpm/pool.d/www.conf", 10)]
    assert r.fixed().changed == []


def test_missing_backup_server_is_a_warning_without_fix(tmp_path):
    nginx = NGINX.replace("    server {", "    upstream php {\n        server unix:/run/php/php8.2-fpm.sock;\n"
                          "        server unix:/run/php/php8.1-fpm.sock backup;  # expect: GW301\n    }\n    server {", 1)
    nginx = nginx.replace("fastcgi_pass unix:/run/php/php8.1-fpm.sock;  # old socket  # expect: GW301", "fastcgi_pass php;")
    r = lint(tree(nginx), tmp_path)
    r.assert_expected()
    (f,) = r.findings
    assert f.severity.value == "warning" and f.fix is None
    assert "backup server is a latent risk" in f.message and "did you mean" not in f.message


ADMIN_SITE = """    server {
        listen 8081;
        location ~ \\\\.php$ {
            fastcgi_pass unix:/run/php/php8.2-fpm-admin.sock;
        }
    }
}
"""


def _renamed(extra_pool=""):
    nginx = NGINX.replace("php8.1-fpm.sock;  # old socket", "php8.2-fpm.sock;  # www.conf renamed")
    nginx = nginx[:nginx.rindex("}")] + ADMIN_SITE
    pools = (POOL.replace("[www]", "[app]").replace("php8.2-fpm.sock", "php8.2-fpm-app.sock")
             + "\n" + POOL.replace("[www]", "[admin]").replace("php8.2-fpm.sock", "php8.2-fpm-admin.sock")
             + extra_pool)
    return tree(nginx, pools)


def test_the_one_pool_a_renamed_pool_can_be_is_a_safe_fix(tmp_path):
    # two unix pools: no clear match by kind; 'admin' serves another site, so only 'app' fits
    r = lint(_renamed(), tmp_path)
    r.assert_expected()
    (f,) = r.findings
    assert f.fix.safe and f.fix.title == "point fastcgi_pass at unix:/run/php/php8.2-fpm-app.sock"
    assert r.relint().findings == []


def test_two_unused_pools_that_fit_keep_the_fix_unsafe(tmp_path):
    other = "\n" + POOL.replace("[www]", "[shop]").replace("php8.2-fpm.sock", "php8.2-fpm-shop.sock")
    (f,) = lint(_renamed(other), tmp_path).findings
    assert f.fix is not None and not f.fix.safe


def _unsafe_only(files, tmp_path):
    """The one finding offers an unsafe fix: `--fix` changes nothing."""
    r = lint(files, tmp_path)
    (f,) = r.findings
    assert f.code == "GW301" and f.fix is not None and not f.fix.safe
    assert r.fixed().changed == []


def test_the_one_unused_pool_of_another_php_version_keeps_the_fix_unsafe(tmp_path):
    files = _renamed()  # 'app' moves to the PHP 8.1 install, while the site names php8.2-fpm.sock
    pools = files.pop("etc/php/8.2/fpm/pool.d/www.conf")
    app, admin = pools.split("\n\n", 1)
    files |= {"etc/php/8.2/fpm/pool.d/www.conf": admin, "etc/php/8.1/fpm/pool.d/app.conf": app + "\n",
              "etc/php/8.1/fpm/php-fpm.conf": "[global]\ninclude=/etc/php/8.1/fpm/pool.d/*.conf\n"}
    _unsafe_only(files, tmp_path)


def test_the_one_unused_pool_running_as_another_user_keeps_the_fix_unsafe(tmp_path):
    files = _renamed()  # the site also reaches 'admin' (www-data) in /admin/; 'app' runs as app
    files["etc/nginx/nginx.conf"] = files["etc/nginx/nginx.conf"].replace(
        "        location ~ \\.php$ {\n            fastcgi_pass unix:/run/php/php8.2-fpm.sock;",
        "        location /admin/ {\n            fastcgi_pass unix:/run/php/php8.2-fpm-admin.sock;\n        }\n"
        "        location ~ \\.php$ {\n            fastcgi_pass unix:/run/php/php8.2-fpm.sock;", 1)
    pools = files["etc/php/8.2/fpm/pool.d/www.conf"]
    files["etc/php/8.2/fpm/pool.d/www.conf"] = pools.replace("user = www-data", "user = app", 1)
    _unsafe_only(files, tmp_path / "other")
    files["etc/php/8.2/fpm/pool.d/www.conf"] = pools
    (f,) = lint(files, tmp_path / "same").findings
    assert f.fix.safe


def test_the_only_socket_pool_serving_another_site_keeps_the_fix_unsafe(tmp_path):
    nginx = NGINX[:NGINX.rindex("}")] + ADMIN_SITE.replace("php8.2-fpm-admin.sock", "php8.2-fpm.sock")
    _unsafe_only(tree(nginx), tmp_path)



def test_a_literal_set_variable_is_checked_at_the_set_line_and_fixed_there(tmp_path):
    nginx = NGINX.replace("        location", "        set $php_fpm unix:/run/php-fpm/www.sock;  # expect: GW301\n"
                                           "        location").replace(
        "unix:/run/php/php8.1-fpm.sock;  # old socket  # expect: GW301", "$php_fpm;")
    r = lint(tree(nginx), tmp_path)
    r.assert_expected()
    (f,) = r.findings
    assert "fastcgi_pass $php_fpm: no PHP-FPM pool listens on unix:/run/php-fpm/www.sock" in f.message
    assert f.fix.safe and r.fixed_line("etc/nginx/nginx.conf", 6) == \
        "        set $php_fpm unix:/run/php/php8.2-fpm.sock;  # expect: GW301"
    assert r.relint().findings == []


def test_map_values_are_checked_per_value_with_unsafe_fixes(tmp_path):
    nginx = NGINX.replace("http {\n", "http {\n    map $http_x_php $php {\n"
                                      "        default unix:/run/php/php8.2-fpm.sock;\n"
                                      "        legacy unix:/run/php/php7.4-fpm.sock;  # expect: GW301\n    }\n").replace(
        "unix:/run/php/php8.1-fpm.sock;  # old socket  # expect: GW301", "$php;")
    r = lint(tree(nginx), tmp_path)
    r.assert_expected()
    (f,) = r.findings
    assert f.fix is not None and not f.fix.safe and f.fix.title == "map value 'legacy' to unix:/run/php/php8.2-fpm.sock"


def test_a_variable_also_assigned_from_the_request_is_skipped(tmp_path):
    nginx = NGINX.replace("        location", "        set $php_fpm unix:/run/php-fpm/www.sock;\n"
                                           "        set $php_fpm $http_x_backend;\n        location").replace(
        "unix:/run/php/php8.1-fpm.sock;  # old socket  # expect: GW301", "$php_fpm;")
    assert [f for f in lint(tree(nginx), tmp_path).findings if f.code == "GW301"] == []
