from gwlint.testing import lint

NGINX = """events {}
http {
    upstream backend { server 127.0.0.1:8080; }
    upstream php-fpm { server unix:/run/php/php8.2-fpm.sock; }
    server {
        listen 80;
        location / {
            proxy_pass http://backnd;  # expect: GW101
        }
        location ~ \\.php$ {
            fastcgi_pass php_fpm;  # expect: GW101
        }
    }
}
"""


def test_typos_are_flagged_with_did_you_mean(tmp_path):
    r = lint({"etc/nginx/nginx.conf": NGINX}, tmp_path)
    r.assert_expected()
    proxy, fcgi = r.findings
    assert 'did you mean upstream "backend"' in proxy.message
    assert 'host not found in upstream "backnd"' in proxy.message
    assert [(x.path, x.line) for x in proxy.related] == [("etc/nginx/nginx.conf", 3)]
    assert 'did you mean upstream "php-fpm"' in fcgi.message


def test_unsafe_fix_renames_the_target(tmp_path):
    r = lint({"etc/nginx/nginx.conf": NGINX}, tmp_path)
    assert all(f.fix is not None and not f.fix.safe for f in r.findings)
    assert r.fixed_line("etc/nginx/nginx.conf", 8, unsafe=True) == \
        "            proxy_pass http://backend;  # expect: GW101"
    assert r.relint(unsafe=True).findings == []


def test_defined_names_hosts_and_service_names_are_clean(tmp_path):
    nginx = NGINX.replace("http://backnd", "http://backend").replace("php_fpm", "php-fpm").replace(
        "        location / {", "        location /api { proxy_pass http://api.example.com; }\n"
        "        location /svc { proxy_pass http://node:3000; }\n        location /app { proxy_pass http://app; }\n"
        "        location / {")
    assert lint({"etc/nginx/nginx.conf": nginx}, tmp_path).findings == []


def test_short_service_name_near_an_upstream_is_not_a_typo(tmp_path):
    nginx = "events {}\nhttp {\n    upstream api { server 10.0.0.1:80; }\n" \
            "    server { location / { proxy_pass http://app; } }\n}\n"
    assert lint({"etc/nginx/nginx.conf": nginx}, tmp_path).findings == []


def test_message_gives_the_emerg_line_nginx_prints(tmp_path):
    proxy, fcgi = lint({"etc/nginx/nginx.conf": NGINX}, tmp_path).findings
    assert "nginx refuses to start or reload" in proxy.message
    assert '[emerg] no port in upstream "php_fpm"' in fcgi.message  # measured: nginx 1.22, no scheme
