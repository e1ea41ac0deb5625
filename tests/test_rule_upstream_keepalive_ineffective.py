from gwlint.model.workspace import Options
from gwlint.testing import lint

NGINX = """events {}
http {
    upstream app {
        server 127.0.0.1:8080;
        keepalive 16;
    }
    upstream php {
        server unix:/run/php/php8.2-fpm.sock;
        keepalive 8;
    }
    server {
        listen 80;
        location / {
            proxy_pass http://app;  # expect: GW106
        }
        location /old {
            proxy_http_version 1.0;
            proxy_pass http://app;  # expect: GW106
        }
        location /good {
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_pass http://app;
        }
        location ~ \\.php$ {
            fastcgi_pass php;  # expect: GW106
        }
    }
}
"""
FILES = {"etc/nginx/nginx.conf": NGINX}


def test_missing_http11_and_connection_header_are_flagged(tmp_path):
    r = lint(FILES, tmp_path)
    r.assert_expected()
    plain = r.at("etc/nginx/nginx.conf", 14)[0]
    assert "speaks HTTP/1.0" in plain.message and "Connection: close" in plain.message
    assert "assuming nginx 1.22" in plain.message
    assert [x.line for x in plain.related] == [5]
    assert "fastcgi_keep_conn" in r.at("etc/nginx/nginx.conf", 26)[0].message


def test_safe_fix_inserts_both_proxy_lines(tmp_path):
    r = lint(FILES, tmp_path)
    lines = r.fixed_text("etc/nginx/nginx.conf").splitlines()
    assert lines[13:16] == ["            proxy_http_version 1.1;", '            proxy_set_header Connection "";',
                            "            proxy_pass http://app;  # expect: GW106"]
    assert "fastcgi_keep_conn on;" not in "\n".join(lines)
    # the explicit 1.0 and fastcgi_keep_conn need --unsafe-fixes
    assert [(f.line, f.code) for f in r.relint().findings] == [(20, "GW106"), (28, "GW106")]


def test_fastcgi_keep_conn_fix_is_unsafe(tmp_path):
    fix = lint(FILES, tmp_path).at("etc/nginx/nginx.conf", 26)[0].fix
    assert fix.title == "add fastcgi_keep_conn on" and fix.safe is False
    assert lint(FILES, tmp_path / "u").fixed_text("etc/nginx/nginx.conf", unsafe=True).count("fastcgi_keep_conn on;") == 1


def test_unsafe_fixes_clear_everything(tmp_path):
    assert lint(FILES, tmp_path).relint(unsafe=True).codes() == []


def test_outer_proxy_set_header_makes_the_insert_unsafe(tmp_path):
    nginx = NGINX.replace("    server {\n", "    server {\n        proxy_set_header Host $host;\n", 1)
    r = lint({"etc/nginx/nginx.conf": nginx}, tmp_path)
    assert r.at("etc/nginx/nginx.conf", 15)[0].fix.safe is False


def test_since_1_29_7_only_explicit_downgrades_are_flagged(tmp_path):
    r = lint(FILES, tmp_path, options=Options(nginx_version="1.30"))
    assert [(f.line, f.code) for f in r.findings] == [(18, "GW106"), (26, "GW106")]
    assert "proxy_http_version 1.0" in r.findings[0].message
