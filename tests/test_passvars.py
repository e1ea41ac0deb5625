"""Variable `*_pass` targets as nginx resolves them per request (measured on nginx 1.22)."""

from gwlint.testing import lint

NGINX = """events {}
http {
    upstream octane { server 127.0.0.1:8000; }
    upstream php { server 127.0.0.1:9000; }
    server {
        listen 80;
        location @octane {
            set $suffix "";
            if ($uri = /index.php) { set $suffix ?$query_string; }
            proxy_pass http://octane$suffix;
        }
        location /port { set $p ":8000"; proxy_pass http://octane$p; }  # expect: GW102
        location /fcgi { set $b php; fastcgi_pass $b; }
        location /typo { set $c php_fpm; fastcgi_pass $c; }  # expect: GW101
        location /addr { set $d 127.0.0.1:9000; fastcgi_pass $d; }
        location /unset { proxy_pass http://octane$not_set_anywhere; }
    }
}
"""
FILES = {"etc/nginx/nginx.conf": NGINX}


def test_each_value_is_looked_up_as_nginx_does(tmp_path):
    r = lint(FILES, tmp_path)
    r.assert_expected()
    port = r.at("etc/nginx/nginx.conf", 12)[0]
    assert "no resolver defined to resolve octane" in port.message
    typo = r.at("etc/nginx/nginx.conf", 14)[0]
    assert "500 Internal Server Error" in typo.message and 'no port in upstream "php_fpm"' in typo.message
    assert [x.line for x in typo.related] == [14]


def test_a_variable_route_into_an_upstream_uses_its_servers(tmp_path):
    ws = lint(FILES, tmp_path).workspace
    octane = next(r for r in ws.routes if r.directive.line == 10)
    assert {o.kind for o in octane.outcomes} == {"upstream"} and len(octane.outcomes) == 2
    assert octane.upstream.args == ["octane"]
    assert [str(b.endpoint) for b in octane.backends] == ["127.0.0.1:8000"]


def test_octane_upstream_server_is_checked_like_a_literal_one(tmp_path):
    files = {**FILES, "etc/systemd/system/octane.service":
             "[Service]\nExecStart=/usr/bin/php artisan octane:start --host=127.0.0.1 --port=8001\n"}
    r = lint(files, tmp_path)
    assert ("etc/nginx/nginx.conf", 3, "GW360") in {(f.path, f.line, f.code) for f in r.findings}


def test_a_set_reaches_only_the_requests_of_its_own_server(tmp_path):
    # measured on nginx 1.22: `set` runs in the rewrite phase of the server that took the request;
    # a map is http-wide. Server b's $php never takes server a's value.
    nginx = """events {}
http {
    map $host $mapped { default unix:/run/php/php8.2-fpm.sock; }
    server {
        listen 80;
        set $php unix:/run/php/php8.1-fpm.sock;  # expect: GW301
        location ~ \\.php$ { fastcgi_pass $php; }
    }
    server {
        listen 81;
        set $php unix:/run/php/php8.2-fpm.sock;
        location ~ \\.php$ { fastcgi_pass $php; }
        location /m { fastcgi_pass $mapped; }
    }
}
"""
    pool = "[www]\nlisten = /run/php/php8.2-fpm.sock\npm = static\npm.max_children = 5\n"
    r = lint({"etc/nginx/nginx.conf": nginx, "etc/php/8.2/fpm/pool.d/www.conf": pool}, tmp_path, select=["GW301"])
    r.assert_expected()
    by_line = {route.directive.line: route for route in r.workspace.routes}
    assert [(b.endpoint.path, b.directive.line) for b in by_line[7].backends] == [("/run/php/php8.1-fpm.sock", 6)]
    assert [(b.endpoint.path, b.directive.line) for b in by_line[12].backends] == [("/run/php/php8.2-fpm.sock", 11)]
    assert [o.value for o in by_line[13].outcomes] == ["unix:/run/php/php8.2-fpm.sock"]
