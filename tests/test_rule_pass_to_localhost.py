from functools import partial

from gwlint import testing

# Reachability rules, tested apart from the pool-validity and socket rules: these pools are minimal
lint = partial(testing.lint, ignore=("GW201", "GW223"))

NGINX = """events {}
http {
    upstream api {
        server localhost:8080 max_fails=3;  # expect: GW103
    }
    server {
        listen 80;
        location / {
            proxy_pass http://localhost:3000/app/;  # expect: GW103
        }
        location /api { proxy_pass http://api; }
        location /strict {
            proxy_next_upstream off;
            proxy_pass http://localhost:3001;  # expect: GW103
        }
        location /ok { proxy_pass http://127.0.0.1:3000; }
    }
}
"""


def test_localhost_targets_are_flagged(tmp_path):
    r = lint({"etc/nginx/nginx.conf": NGINX}, tmp_path)
    r.assert_expected()
    by_line = {f.line: f for f in r.findings}
    assert "(111: Connection refused)" in by_line[9].message and "127.0.0.1 and ::1" in by_line[9].message
    assert "with proxy_next_upstream off those requests get 502" in by_line[14].message


def test_unsafe_fix_writes_ipv4_loopback(tmp_path):
    r = lint({"etc/nginx/nginx.conf": NGINX}, tmp_path)
    assert [f.fix.safe for f in r.findings] == [False, False, False]
    assert r.fixed_line("etc/nginx/nginx.conf", 4, unsafe=True) == \
        "        server 127.0.0.1:8080 max_fails=3;  # expect: GW103"
    assert r.fixed_line("etc/nginx/nginx.conf", 9, unsafe=True) == \
        "            proxy_pass http://127.0.0.1:3000/app/;  # expect: GW103"
    assert r.relint(unsafe=True).findings == []


def _fpm_tree(listen):
    nginx = "events {}\nhttp { server { location ~ \\.php$ { fastcgi_pass localhost:9000; } } }\n"
    return {"etc/nginx/nginx.conf": nginx,
            "etc/php/8.2/fpm/php-fpm.conf": "[global]\ninclude=/etc/php/8.2/fpm/pool.d/*.conf\n",
            "etc/php/8.2/fpm/pool.d/www.conf": f"[www]\nlisten = {listen}\n"}


def test_fastcgi_to_localhost_suggests_the_pools_address(tmp_path):
    r = lint(_fpm_tree("[::1]:9000"), tmp_path)
    assert r.codes() == ["GW103"] and "write [::1]" in r.findings[0].message
    assert [(x.path, x.line) for x in r.findings[0].related] == [("etc/php/8.2/fpm/pool.d/www.conf", 2)]


def test_fastcgi_to_localhost_with_dual_stack_pool_is_clean(tmp_path):
    assert lint(_fpm_tree("9000"), tmp_path).findings == []


def test_shared_upstream_server_is_reported_once(tmp_path):
    nginx = ("events {}\nhttp {\n    upstream api {\n        server localhost:8080;  # expect: GW103\n    }\n"
             "    server {\n        location /a { proxy_pass http://api; }\n"
             "        location /b { proxy_next_upstream off; proxy_pass http://api; }\n    }\n}\n")
    r = lint({"etc/nginx/nginx.conf": nginx}, tmp_path)
    r.assert_expected()
    assert len(r.findings) == 1


def test_etc_hosts_with_ipv4_localhost_only_is_clean(tmp_path):
    files = {"etc/nginx/nginx.conf": NGINX, "etc/hosts": "127.0.0.1 localhost\n"}
    assert lint(files, tmp_path / "v4").findings == []
    files["etc/hosts"] = "127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n"
    assert len(lint(files, tmp_path / "both").findings) == 3
