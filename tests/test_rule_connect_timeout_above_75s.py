from gwlint.testing import lint

NGINX = """events {}
http {
    proxy_connect_timeout 2m;  # expect: GW120
    server {
        listen 80;
        fastcgi_connect_timeout 75s;
        location / {
            grpc_connect_timeout 1m 30s;  # expect: GW120
            proxy_connect_timeout 10;
            proxy_pass http://127.0.0.1:8080;
        }
    }
}
"""


def test_connect_timeouts_above_75s_are_flagged(tmp_path):
    r = lint({"etc/nginx/nginx.conf": NGINX}, tmp_path)
    r.assert_expected()
    f = r.at("etc/nginx/nginx.conf", 3)[0]
    assert "proxy_connect_timeout 2m" in f.message and "proxy_read_timeout" in f.message


def test_75s_and_below_are_clean(tmp_path):
    clean = NGINX.replace("2m", "75").replace("1m 30s", "1m 15s")
    assert lint({"etc/nginx/nginx.conf": clean}, tmp_path).findings == []
