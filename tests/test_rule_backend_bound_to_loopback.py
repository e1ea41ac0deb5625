from gwlint.testing import lint, lint_tree

COMPOSE = """services:
  app:
    command: gunicorn --bind 127.0.0.1:8000 app.wsgi
"""
NGINX = """events {}
http {
    server {
        listen 80;
        location / {
            proxy_pass http://app:8000;  # expect: GW361
        }
    }
}
"""


def test_compose_service_bound_to_loopback(tmp_path):
    r = lint({"nginx/nginx.conf": NGINX, "docker-compose.yml": COMPOSE}, tmp_path)
    r.assert_expected()
    (f,) = r.findings
    assert "binds only 127.0.0.1:8000" in f.message and "(111: Connection refused)" in f.message
    assert [(x.path, x.line) for x in f.related] == [("docker-compose.yml", 3)]


def test_all_addresses_is_clean(tmp_path):
    compose = COMPOSE.replace("127.0.0.1", "0.0.0.0")
    assert lint({"nginx/nginx.conf": NGINX, "docker-compose.yml": compose}, tmp_path).findings == []


def test_host_unit_on_loopback_reached_through_own_lan_address(tmp_path):
    nginx = NGINX.replace("listen 80;", "listen 10.0.0.5:80;").replace("app:8000", "10.0.0.5:8000")
    unit = "[Service]\nExecStart=/v/bin/gunicorn --bind 127.0.0.1:8000 app:wsgi\n"
    r = lint({"etc/nginx/nginx.conf": nginx, "etc/systemd/system/app.service": unit}, tmp_path)
    r.assert_expected()


def test_loopback_target_is_clean(tmp_path):
    nginx = NGINX.replace("app:8000;  # expect: GW361", "127.0.0.1:8000;")
    unit = "[Service]\nExecStart=/v/bin/gunicorn --bind 127.0.0.1:8000 app:wsgi\n"
    assert lint({"etc/nginx/nginx.conf": nginx, "etc/systemd/system/app.service": unit}, tmp_path).findings == []


def test_compose_fixtures(fixtures_dir):
    lint_tree(fixtures_dir / "backends-compose-broken").assert_expected()
    assert lint_tree(fixtures_dir / "backends-compose-clean").findings == []
