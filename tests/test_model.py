"""The model: nginx inheritance, routes through upstreams, pools by endpoint, effective PHP values."""

from gwlint.model.endpoint import Endpoint
from gwlint.model.workspace import Options, load_workspace
from gwlint.testing import write_tree

NGINX = """events {}
http {
    fastcgi_read_timeout 30s;
    fastcgi_param A http;
    upstream php {
        server unix:/run/php/a.sock;
        server 127.0.0.1:9000 backup;
        server app;
    }
    server {
        fastcgi_read_timeout 45s;
        location / {
            fastcgi_pass php;
        }
        location ~ \\.php$ {
            fastcgi_param B location;
            location ~ inner {
                fastcgi_pass unix:/run/php/b.sock;
            }
        }
        location /dyn {
            fastcgi_pass $backend;
        }
        location /app {
            proxy_pass http://127.0.0.1:8080;
        }
    }
}
"""

FPM = """[global]
include = /etc/php/8.2/fpm/pool.d/*.conf
[a]
listen = /run/php/a.sock
slowlog = /var/log/$pool.slow.log
php_value[memory_limit] = 64M
php_admin_value[memory_limit] = 256M
php_value[upload_max_filesize] = 4M
[b]
listen = /run/php/b.sock
listen = 127.0.0.1:9000
"""


def workspace(tmp_path, nginx=NGINX, fpm=FPM, **files):
    return load_workspace(write_tree({"etc/nginx/nginx.conf": nginx, "etc/php/8.2/fpm/php-fpm.conf": fpm,
                                      "etc/php/8.2/fpm/php.ini": "[PHP]\nmemory_limit = 128M\nupload_max_filesize = 2M\n",
                                      **files}, tmp_path))


def test_inheritance_innermost_wins_and_arrays_replace(tmp_path):
    ws = workspace(tmp_path)
    inner = ws.directives("fastcgi_pass")[1]
    assert inner.inherited("fastcgi_read_timeout").args == ["45s"]  # server level, not http
    assert [d.args for d in inner.inherited_all("fastcgi_param")] == [["B", "location"]]
    outer = ws.directives("fastcgi_pass")[0]
    assert [d.args for d in outer.inherited_all("fastcgi_param")] == [["A", "http"]]
    assert inner.ancestor("server").name == "server" and inner.parent.args == ["~", "inner"]
    assert inner.inherited("nonexistent") is None


def test_routes_resolve_through_upstream_servers(tmp_path):
    ws = workspace(tmp_path)
    upstream_route, direct, variable = ws.php_routes()
    assert upstream_route.upstream is ws.nginx[0].upstreams["php"]
    assert [(b.endpoint, b.directive.line) for b in upstream_route.backends] == [
        (Endpoint("unix", path="/run/php/a.sock"), 6), (Endpoint("tcp", host="127.0.0.1", port=9000), 7),
        (Endpoint("tcp", host="app", port=80), 8)]
    assert [p.name for p in upstream_route.backends[0].pools] == ["a"]
    assert direct.upstream is None and direct.location.args == ["~", "inner"]
    assert variable.target is None and variable.backends == []
    assert [r.kind for r in ws.routes] == ["fastcgi_pass"] * 3 + ["proxy_pass"]


def test_pools_by_endpoint_last_listen_wins(tmp_path):
    ws = workspace(tmp_path)
    a, b = ws.pools
    assert b.listen == Endpoint("tcp", host="127.0.0.1", port=9000)
    assert [s.line for s in b.history["listen"]] == [10, 11]
    assert b.assignments("listen") == b.history["listen"] and b.assignments("user") == ()
    assert all(len(a.assignments(key)) == 1 and a.assignments(key)[0] is a.get(key) for key in a.history)
    assert ws.pools_at(Endpoint("unix", path="/run/php/b.sock")) == []
    assert ws.pools_at(Endpoint("tcp", host="php", port=9000)) == [b]  # by port: the host is the rule's call
    assert ws.pools_at(Endpoint("unix", path="/run/php/a.sock")) == [a]


def test_dollar_pool_is_the_pool_name(tmp_path):
    a = workspace(tmp_path).pools[0]
    assert a.value("slowlog") == "/var/log/a.slow.log"


def test_php_admin_value_beats_php_value_beats_php_ini(tmp_path):
    a, b = workspace(tmp_path).pools
    assert (a.php_ini("memory_limit").value, a.php_ini("memory_limit").key) == ("256M", "php_admin_value[memory_limit]")
    assert a.php_ini("upload_max_filesize").value == "4M"
    assert (b.php_ini("memory_limit").value, b.php_ini("memory_limit").path) == ("128M", "etc/php/8.2/fpm/php.ini")
    assert b.php_ini("post_max_size") is None


def test_reopened_sections_merge_and_headerless_file_continues_the_including_section(tmp_path):
    fpm = "[global]\ninclude = /etc/php/8.2/fpm/pool.d/*.conf\n[www]\ninclude = /etc/php/8.2/fpm/extra/*.conf\n"
    ws = workspace(tmp_path, fpm=fpm, **{
        "etc/php/8.2/fpm/pool.d/www.conf": "[www]\nlisten = /run/a.sock\npm = static\n",
        "etc/php/8.2/fpm/pool.d/zz.conf": "[global]\ndaemonize = no\n[www]\nlisten = 9000\n",
        "etc/php/8.2/fpm/extra/limits.conf": "request_terminate_timeout = 5m\n"})
    (www,) = ws.pools
    assert str(www.listen) == "*:9000" and www.value("pm") == "static"
    assert www.get("listen").path == "etc/php/8.2/fpm/pool.d/zz.conf"
    assert www.value("request_terminate_timeout") == "5m"
    assert www.get("request_terminate_timeout").path == "etc/php/8.2/fpm/extra/limits.conf"
    assert ws.installs[0].global_settings["daemonize"].value == "no"


def test_nginx_user_from_directive_else_option_else_nobody(tmp_path):
    ws = workspace(tmp_path / "a", nginx="user www-data www-data;\nevents {}\n")
    assert ws.nginx_user(ws.nginx[0]) == "www-data"
    ws = workspace(tmp_path / "b", nginx="events {}\n")
    assert ws.nginx_user(ws.nginx[0]) == "nobody"
    ws = load_workspace(ws.root.path, options=Options(nginx_user="nginx"))
    assert ws.nginx_user(ws.nginx[0]) == "nginx"


def test_include_count_counts_include_sites(tmp_path):
    nginx = "events {}\nhttp {\n    server { include snip.conf; }\n    server { include snip.conf; }\n}\n"
    ws = workspace(tmp_path, nginx=nginx, **{"etc/nginx/snip.conf": "gzip on;\n"})
    assert ws.include_count("etc/nginx/snip.conf") == 2
    assert [d.line for d in ws.directives("include")] == [3, 4] and len(ws.directives("gzip")) == 2
