"""Discovery on the layouts people have: Debian with several PHP versions, RHEL, Alpine, docker."""

from pathlib import Path

from gwlint.model.workspace import load_workspace
from gwlint.testing import lint, lint_tree

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _pools(ws):
    return {(pool.install.conf, pool.name): pool for pool in ws.pools}


def test_debian_with_three_php_versions_side_by_side():
    ws = load_workspace(FIXTURES / "layout-debian-multiphp")
    assert [i.conf for i in ws.installs] == [f"etc/php/{v}/fpm/php-fpm.conf" for v in ("7.4", "8.1", "8.2")]
    for install in ws.installs:  # each FPM reads its own php.ini chain, nothing of the others
        base = install.conf.rsplit("/", 1)[0]
        assert install.php_ini_files[0] == f"{base}/php.ini"
        assert all(f.startswith(base + "/") for f in install.php_ini_files)
    pools = _pools(ws)
    memory = {conf.split("/")[2]: pool.php_ini("memory_limit") for (conf, _), pool in pools.items()}
    assert {v: s.value for v, s in memory.items()} == {"7.4": "256M", "8.1": "192M", "8.2": "128M"}
    assert memory["8.1"].path == "etc/php/8.1/fpm/conf.d/20-app.ini"  # the scan dir wins over php.ini
    # sites-enabled links (one absolute, as Debian's own, one relative) resolve inside the tree
    served = {route.directive.path: [p.install.conf for b in route.backends for p in b.pools]
              for route in ws.php_routes()}
    assert served == {f"etc/nginx/sites-available/{site}": [f"etc/php/{v}/fpm/php-fpm.conf"]
                      for site, v in (("app74", "7.4"), ("app81", "8.1"), ("default", "8.2"))}
    assert "etc/nginx/sites-available/old" not in ws.nginx_files  # not enabled, not loaded


def test_layout_fixture_is_clean():
    assert lint_tree(FIXTURES / "layout-debian-multiphp").findings == []


def test_rhel_fedora_layout(tmp_path):
    r = lint({
        "etc/nginx/nginx.conf": "user nginx;\nevents {}\nhttp {\n    include /etc/nginx/conf.d/*.conf;\n"
                                "    server {\n        listen 80;\n        include /etc/nginx/default.d/*.conf;\n"
                                "    }\n}\n",
        "etc/nginx/conf.d/php-fpm.conf": "upstream php-fpm {\n    server unix:/run/php-fpm/www.sock;\n}\n",
        "etc/nginx/default.d/php.conf": "location ~ \\.php$ {\n    fastcgi_pass php-fpm;\n}\n",
        "etc/php-fpm.conf": "[global]\npid = /run/php-fpm/php-fpm.pid\ninclude=/etc/php-fpm.d/*.conf\n",
        "etc/php-fpm.d/www.conf": "[www]\nuser = apache\ngroup = apache\nlisten = /run/php-fpm/www.sock\n"
                                  "listen.acl_users = apache,nginx\n",
        "etc/php.ini": "[PHP]\nmemory_limit = 128M\n",
        "etc/php.d/10-opcache.ini": "zend_extension=opcache\nmemory_limit = 160M\n",
    }, tmp_path)
    [install] = r.workspace.installs
    assert install.conf == "etc/php-fpm.conf" and install.files == ["etc/php-fpm.conf", "etc/php-fpm.d/www.conf"]
    assert install.php_ini_files == ["etc/php.ini", "etc/php.d/10-opcache.ini"]
    [route] = r.workspace.php_routes()
    assert [p.name for b in route.backends for p in b.pools] == ["www"]
    assert route.location.ancestor("server") is not None


def test_alpine_layout(tmp_path):
    r = lint({
        "etc/nginx/nginx.conf": "user nginx;\nevents {}\nhttp {\n    include /etc/nginx/http.d/*.conf;\n}\n",
        "etc/nginx/http.d/default.conf": "server {\n    location ~ \\.php$ {\n        fastcgi_pass 127.0.0.1:9000;\n"
                                         "    }\n}\n",
        "etc/php82/php-fpm.conf": "[global]\ninclude=/etc/php82/php-fpm.d/*.conf\n",
        "etc/php82/php-fpm.d/www.conf": "[www]\nuser = nobody\nlisten = 127.0.0.1:9000\npm = static\n"
                                        "pm.max_children = 5\n",
        "etc/php82/php.ini": "[PHP]\nmax_execution_time = 30\n",
        "etc/php82/conf.d/00_opcache.ini": "zend_extension=opcache\n",
    }, tmp_path)
    assert r.findings == []
    [install] = r.workspace.installs
    assert install.php_ini_files == ["etc/php82/php.ini", "etc/php82/conf.d/00_opcache.ini"]
    [route] = r.workspace.php_routes()
    assert [p.name for b in route.backends for p in b.pools] == ["www"]


def test_docker_library_layout(tmp_path):
    # php:8.2-fpm: prefix /usr/local, relative include, zz-docker.conf overriding the listen
    r = lint({
        "etc/nginx/nginx.conf": "events {}\nhttp {\n    include /etc/nginx/conf.d/*.conf;\n}\n",
        "etc/nginx/conf.d/default.conf": "server {\n    location ~ \\.php$ {\n        fastcgi_pass php:9000;\n"
                                         "    }\n}\n",
        "usr/local/etc/php-fpm.conf": "[global]\ninclude=etc/php-fpm.d/*.conf\n",
        "usr/local/etc/php-fpm.d/www.conf": "[www]\nuser = www-data\nlisten = 127.0.0.1:9000\npm = static\n"
                                            "pm.max_children = 5\n",
        "usr/local/etc/php-fpm.d/zz-docker.conf": "[global]\ndaemonize = no\n[www]\nlisten = 9000\n",
        "usr/local/etc/php/php.ini": "[PHP]\nmemory_limit = 256M\n",
        "usr/local/etc/php/conf.d/docker-php-ext-sodium.ini": "extension=sodium\n",
    }, tmp_path)
    assert r.findings == []
    [install] = r.workspace.installs
    [pool] = install.pools
    assert pool.get("listen").path == "usr/local/etc/php-fpm.d/zz-docker.conf"
    assert install.php_ini_files == ["usr/local/etc/php/php.ini",
                                     "usr/local/etc/php/conf.d/docker-php-ext-sodium.ini"]
    [route] = r.workspace.php_routes()
    assert [p.name for b in route.backends for p in b.pools] == ["www"]


def test_nginx_config_dir_as_root(tmp_path):
    # a repo holding only /etc/nginx's content: absolute /etc/nginx paths map to its top
    r = lint({
        "nginx.conf": "events {}\nhttp {\n    include /etc/nginx/sites-enabled/*;\n}\n",
        "sites-enabled/app": "server {\n    location / {\n        include missing.conf;  # expect: GW901\n"
                             "    }\n}\n",
    }, tmp_path)
    r.assert_expected()
