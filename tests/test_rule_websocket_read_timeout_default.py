from gwlint.testing import lint

NGINX = """events {}
http {
    server {
        listen 80;
        location /ws/ {
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";
            proxy_pass http://127.0.0.1:8080;  # expect: GW121
        }
        location / {
            proxy_pass http://127.0.0.1:8080;
        }
    }
}
"""
PATH = "etc/nginx/nginx.conf"


def test_websocket_location_without_read_timeout_is_flagged(tmp_path):
    r = lint({PATH: NGINX}, tmp_path)
    r.assert_expected()
    (f,) = r.findings
    assert "60s" in f.message and [(x.path, x.line) for x in f.related] == [(PATH, 7)]
    assert f.fix is not None and not f.fix.safe
    assert r.fixed_line(PATH, 6, unsafe=True) == "            proxy_read_timeout 1h;"
    assert r.relint(unsafe=True).findings == []


def test_upgrade_inherited_from_server_is_flagged(tmp_path):
    conf = NGINX.replace("            proxy_set_header Upgrade $http_upgrade;\n", "").replace(
        "        listen 80;\n", "        listen 80;\n        proxy_set_header Upgrade $http_upgrade;\n")
    conf = conf.replace('            proxy_set_header Connection "upgrade";\n', "")
    r = lint({PATH: conf}, tmp_path)
    assert sorted(f.line for f in r.findings) == [8, 11]


def test_read_timeout_set_at_server_level_is_clean(tmp_path):
    conf = NGINX.replace("        listen 80;\n", "        listen 80;\n        proxy_read_timeout 600s;\n")
    assert lint({PATH: conf}, tmp_path).findings == []
