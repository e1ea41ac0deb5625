from gwlint.testing import lint

NGINX = """events {}
http {
    upstream app { server 127.0.0.1:8080; }
    map $http_x_tenant $tenant_backend {
        default app;
        beta beta.internal.example;
    }
    server {
        listen 80;
        location /a { proxy_pass http://api.example.com$request_uri; }  # expect: GW102
        location /b { proxy_pass http://$tenant_backend; }  # expect: GW102
        location /c { proxy_pass http://$host$request_uri; }  # expect: GW102
        location /d { proxy_pass http://app$request_uri; }
        location /e { set $ip 10.0.0.5:8080; proxy_pass http://$ip; }
        location /f { proxy_pass http://unix:/run/app.sock:$request_uri; }
        location /g { proxy_pass http://$unknown_var; }
        location /h { resolver 127.0.0.11; proxy_pass https://$host$request_uri; }
    }
}
"""


def test_hostnames_behind_variables_are_flagged(tmp_path):
    r = lint({"etc/nginx/nginx.conf": NGINX}, tmp_path)
    r.assert_expected()
    a, b, c = r.findings
    assert "no resolver defined to resolve api.example.com" in a.message and "502" in a.message
    assert "beta.internal.example" in b.message
    assert [(x.path, x.line) for x in b.related] == [("etc/nginx/nginx.conf", 6)]
    assert "$host (a name from the request)" in c.message
    assert all(f.fix is None for f in r.findings)


def test_resolver_at_http_level_covers_everything(tmp_path):
    nginx = NGINX.replace("http {\n", "http {\n    resolver 127.0.0.53;\n")
    assert lint({"etc/nginx/nginx.conf": nginx}, tmp_path).findings == []


def test_host_of_a_literal_pass_elsewhere_is_reused(tmp_path):
    # nginx finds the implicit upstream that `proxy_pass http://api.example.com` created at start-up
    nginx = NGINX.replace("        location /d {", "        location /static { proxy_pass http://api.example.com; }\n"
                          "        location /d {").replace("$request_uri; }  # expect: GW102", "$request_uri; }", 1)
    r = lint({"etc/nginx/nginx.conf": nginx}, tmp_path)
    r.assert_expected()
    assert "api.example.com" not in " ".join(f.message for f in r.findings)


def test_same_host_on_another_port_still_needs_a_resolver(tmp_path):
    # measured: the implicit upstream is matched on host AND port
    static = "        location /static { proxy_pass http://api.example.com:8443; }\n"
    nginx = NGINX.replace("        location /d {", static + "        location /d {")
    lint({"etc/nginx/nginx.conf": nginx}, tmp_path).assert_expected()
