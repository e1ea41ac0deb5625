from gwlint.testing import lint

NGINX = """events {}
http {
    server {
        listen 80;
        location / { proxy_pass http://127.0.0.1:3000; }
    }
}
"""


def test_off_by_default(tmp_path):
    assert lint({"etc/nginx/nginx.conf": NGINX}, tmp_path).findings == []


def test_strict_mode_reports_info(tmp_path):
    r = lint({"etc/nginx/nginx.conf": NGINX}, tmp_path, config={"rules": {"proxy-target-undeclared": {"enabled": True}}})
    (f,) = r.findings
    assert (f.code, f.severity.value, f.line) == ("GW362", "info", 5)


def test_strict_mode_quiet_when_host_has_declarations(tmp_path):
    r = lint({"etc/nginx/nginx.conf": NGINX, "etc/systemd/system/a.service": "[Service]\nEnvironment=PORT=3000\n"},
             tmp_path, config={"rules": {"proxy-target-undeclared": {"enabled": True}}})
    assert r.findings == []
