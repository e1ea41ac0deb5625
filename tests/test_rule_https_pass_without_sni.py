from gwlint.testing import lint

NGINX = """events {}
http {
    upstream origin {
        server 10.0.0.7:443;
    }
    server {
        listen 80;
        location / {
            proxy_set_header Host api.example.com;
            proxy_pass https://api.example.com;  # expect: GW104
        }
        location /grpc {
            grpc_pass grpcs://grpc.example.com:443;  # expect: GW104
        }
        location /off {
            proxy_ssl_server_name off;
            proxy_pass https://cdn.example.net/;  # expect: GW104
        }
        location /ok {
            proxy_ssl_server_name on;
            proxy_pass https://api.example.com;
        }
        location /ip {
            proxy_pass https://10.0.0.7;
        }
        location /up {
            proxy_pass https://origin;
        }
        location /plain {
            proxy_pass http://api.example.com;
        }
    }
}
"""


def test_https_names_without_sni_are_flagged(tmp_path):
    r = lint({"etc/nginx/nginx.conf": NGINX}, tmp_path)
    r.assert_expected()
    first = r.findings[0]
    assert "SSL_do_handshake() failed" in first.message and "502" in first.message
    assert [(x.path, x.line) for x in r.at("etc/nginx/nginx.conf", 17)[0].related] == [("etc/nginx/nginx.conf", 16)]


def test_fix_inserts_the_directive_at_the_top_of_the_location(tmp_path):
    r = lint({"etc/nginx/nginx.conf": NGINX}, tmp_path)
    text = r.fixed_text("etc/nginx/nginx.conf").splitlines()
    assert text[8:11] == ["            proxy_ssl_server_name on;", "            proxy_set_header Host api.example.com;",
                          "            proxy_pass https://api.example.com;  # expect: GW104"]
    assert "            grpc_ssl_server_name on;" in text
    assert r.relint().codes() == ["GW104"]  # the explicit off is only fixed with --unsafe-fixes


def test_unsafe_fix_turns_explicit_off_on(tmp_path):
    r = lint({"etc/nginx/nginx.conf": NGINX}, tmp_path)
    assert r.relint(unsafe=True).findings == []
