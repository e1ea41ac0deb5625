"""Effective-value resolution, table-driven: nginx inheritance and includes, php.ini chain, pool
overrides and per-request PHP_VALUE, each with the source a message quotes."""

import pytest

from gwlint.model.effective import fpm_value, nginx_value, php_time_limit, php_value
from gwlint.model.workspace import load_workspace
from gwlint.testing import write_tree

FPM_CONF = "[global]\ninclude=/etc/php/8.2/fpm/pool.d/*.conf\n"
POOL = "[www]\nuser = www-data\nlisten = /run/php/php8.2-fpm.sock\npm = static\npm.max_children = 5\n"


def nginx(http="", server="", location="", snippet=None):
    inc = "        include snippets/t.conf;\n" if snippet is not None else ""
    return ("events {}\nhttp {\n" + http + "    server {\n" + server + "        location ~ \\.php$ {\n"
            + inc + location + "            fastcgi_pass unix:/run/php/php8.2-fpm.sock;\n"
            "        }\n    }\n}\n")


def resolve(tmp_path, files):
    base = {"etc/nginx/nginx.conf": nginx(), "etc/php/8.2/fpm/php-fpm.conf": FPM_CONF,
            "etc/php/8.2/fpm/pool.d/www.conf": POOL}
    base.update(files)
    ws = load_workspace(write_tree(base, tmp_path))
    ((_route, block, pool),) = list(ws.route_pools())
    return block, pool


NGINX_CASES = [
    ("default", {}, "fastcgi_read_timeout 60s (default)", 60),
    ("http", {"etc/nginx/nginx.conf": nginx(http="    fastcgi_read_timeout 30s;\n")},
     "fastcgi_read_timeout 30s (etc/nginx/nginx.conf:3, inherited from http)", 30),
    ("server overrides http", {"etc/nginx/nginx.conf": nginx(http="    fastcgi_read_timeout 30s;\n",
                                                            server="        fastcgi_read_timeout 2m;\n")},
     "fastcgi_read_timeout 2m (etc/nginx/nginx.conf:5, inherited from server)", 120),
    ("location overrides server", {"etc/nginx/nginx.conf": nginx(server="        fastcgi_read_timeout 2m;\n",
                                                                location="            fastcgi_read_timeout 1h 30m;\n")},
     "fastcgi_read_timeout 1h 30m (etc/nginx/nginx.conf:6)", 5400),
    ("include in location", {"etc/nginx/nginx.conf": nginx(snippet=True),
                             "etc/nginx/snippets/t.conf": "fastcgi_read_timeout 300;\n"},
     "fastcgi_read_timeout 300 (etc/nginx/snippets/t.conf:1)", 300),
]


@pytest.mark.parametrize("label,files,text,seconds", NGINX_CASES, ids=[c[0] for c in NGINX_CASES])
def test_nginx_read_timeout(tmp_path, label, files, text, seconds):
    block, _ = resolve(tmp_path, files)
    value = nginx_value(block, "fastcgi_read_timeout")
    assert (str(value), value.number) == (text, seconds)


PHP_INI = "etc/php/8.2/fpm/php.ini"
CONF_D = "etc/php/8.2/fpm/conf.d/"
PHP_CASES = [
    ("php default", {}, "max_execution_time 30 (default)", 30),
    ("php.ini", {PHP_INI: "[PHP]\nmax_execution_time = 45\n"},
     "max_execution_time 45 (etc/php/8.2/fpm/php.ini:2)", 45),
    ("conf.d after php.ini, in name order", {PHP_INI: "max_execution_time = 45\n",
                                             CONF_D + "20-b.ini": "max_execution_time = 90\n",
                                             CONF_D + "10-a.ini": "max_execution_time = 60\n"},
     "max_execution_time 90 (etc/php/8.2/fpm/conf.d/20-b.ini:1)", 90),
    ("pool php_value over php.ini", {PHP_INI: "max_execution_time = 45\n",
                                     "etc/php/8.2/fpm/pool.d/www.conf": POOL + "php_value[max_execution_time] = 100\n"},
     "max_execution_time 100 (etc/php/8.2/fpm/pool.d/www.conf:6, pool 'www' php_value)", 100),
    ("php_admin_value over php_value", {
        "etc/php/8.2/fpm/pool.d/www.conf": POOL + "php_admin_value[max_execution_time] = 200\n"
                                                  "php_value[max_execution_time] = 100\n"},
     "max_execution_time 200 (etc/php/8.2/fpm/pool.d/www.conf:6, pool 'www' php_admin_value)", 200),
    ("nginx PHP_VALUE over the pool", {
        "etc/php/8.2/fpm/pool.d/www.conf": POOL + "php_value[max_execution_time] = 100\n",
        "etc/nginx/nginx.conf": nginx(location='            fastcgi_param PHP_VALUE "memory_limit=1G\\n'
                                               'max_execution_time=300";\n')},
     "max_execution_time 300 (etc/nginx/nginx.conf:5, fastcgi_param PHP_VALUE)", 300),
    ("PHP_ADMIN_VALUE over PHP_VALUE, from server", {
        "etc/nginx/nginx.conf": nginx(server='        fastcgi_param PHP_ADMIN_VALUE "max_execution_time=5";\n'
                                             '        fastcgi_param PHP_VALUE "max_execution_time=300";\n')},
     "max_execution_time 5 (etc/nginx/nginx.conf:4, fastcgi_param PHP_ADMIN_VALUE, inherited from server)", 5),
    ("location fastcgi_param hides server PHP_VALUE", {
        "etc/nginx/nginx.conf": nginx(server='        fastcgi_param PHP_VALUE "max_execution_time=300";\n',
                                      location="            fastcgi_param SCRIPT_FILENAME $request_filename;\n")},
     "max_execution_time 30 (default)", 30),
]


@pytest.mark.parametrize("label,files,text,number", PHP_CASES, ids=[c[0] for c in PHP_CASES])
def test_php_max_execution_time(tmp_path, label, files, text, number):
    block, pool = resolve(tmp_path, files)
    value = php_value(pool, "max_execution_time", block)
    assert (str(value), value.number) == (text, number)


def test_request_terminate_timeout_default_and_units(tmp_path):
    _, pool = resolve(tmp_path, {})
    assert str(fpm_value(pool, "request_terminate_timeout")) == "request_terminate_timeout 0 (default)"
    _, pool = resolve(tmp_path, {"etc/php/8.2/fpm/pool.d/www.conf": POOL + "request_terminate_timeout = 2m\n"})
    value = fpm_value(pool, "request_terminate_timeout")
    assert (str(value), value.number) == \
        ("request_terminate_timeout 2m (etc/php/8.2/fpm/pool.d/www.conf:6, pool 'www')", 120)


@pytest.mark.parametrize("pool_extra,ini,bound", [
    ("", "", "max_execution_time"),                                   # 0 terminate -> PHP's 30s
    ("request_terminate_timeout = 10\n", "", "request_terminate_timeout"),
    ("", "max_execution_time = 0\n", None),                           # nothing bounds PHP
])
def test_time_limit_bound(tmp_path, pool_extra, ini, bound):
    block, pool = resolve(tmp_path, {"etc/php/8.2/fpm/pool.d/www.conf": POOL + pool_extra, PHP_INI: ini})
    *_, limit = php_time_limit(pool, block)
    assert (limit.name if limit else None) == bound


def test_body_size_and_php_sizes(tmp_path):
    block, pool = resolve(tmp_path, {"etc/nginx/nginx.conf": nginx(http="    client_max_body_size 64M;\n"),
                                     PHP_INI: "post_max_size = 32M\n"})
    assert nginx_value(block, "client_max_body_size").number == 64 * 1024**2
    assert php_value(pool, "post_max_size").number == 32 * 1024**2
    assert str(php_value(pool, "upload_max_filesize")) == "upload_max_filesize 2M (default)"
