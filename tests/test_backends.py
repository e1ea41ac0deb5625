"""Backend declarations: each source, each with its file:line; unreadable ones skipped."""

from gwlint.model.workspace import Options, load_workspace
from gwlint.testing import write_tree

NGINX = "events {}\nhttp {\n    server {\n        listen 80;\n        location / { proxy_pass http://127.0.0.1:1; }\n    }\n}\n"


def decls(tmp_path, files, options=Options()):
    root = write_tree({"etc/nginx/nginx.conf": NGINX, **files}, tmp_path)
    ws = load_workspace(root, options=options)
    return [(d.machine, d.host, d.port, d.path, d.line) for d in ws.declarations]


def test_nginx_listens_count_only_on_loopback(tmp_path):
    conf = NGINX.replace("listen 80;", "listen 80;\n    }\n    server {\n        listen 127.0.0.1:8080;")
    assert decls(tmp_path, {"etc/nginx/nginx.conf": conf}) == [("host", "127.0.0.1", 8080, "etc/nginx/nginx.conf", 7)]


def test_systemd_environment_dropin_and_environment_file(tmp_path):
    found = decls(tmp_path, {
        "etc/systemd/system/a.service": "[Service]\nEnvironment=NODE_ENV=production\nExecStart=/usr/bin/node a.js\n",
        "etc/systemd/system/a.service.d/port.conf": "[Service]\nEnvironment=\"PORT=3000\" HOST=127.0.0.1\n",
        "lib/systemd/system/b.service": "[Service]\nEnvironmentFile=-/etc/default/b\nExecStart=/usr/bin/b\n",
        "etc/default/b": "# b's settings\nexport PORT=4000\n",
    })
    assert ("host", "127.0.0.1", 3000, "etc/systemd/system/a.service.d/port.conf", 2) in found
    assert ("host", None, 4000, "etc/default/b", 2) in found


def test_systemd_command_line_flags(tmp_path):
    found = decls(tmp_path, {
        "etc/systemd/system/g.service": "[Service]\nExecStart=/v/bin/gunicorn -w 3 -b 127.0.0.1:8000 app:wsgi\n",
        "etc/systemd/system/u.service": "[Service]\nExecStart=/v/bin/uvicorn app:api --host 0.0.0.0 --port 8100\n",
        "etc/systemd/system/n.service": "[Service]\nExecStart=/usr/bin/node srv.js --port=9100\n",
        "etc/systemd/system/php8.2-fpm.service": "[Service]\nExecStart=/usr/sbin/php-fpm8.2 --port 1\n",
    })
    assert set(found) == {("host", None, 8100, "etc/systemd/system/u.service", 2),
                       ("host", None, 9100, "etc/systemd/system/n.service", 2),
                       ("host", "127.0.0.1", 8000, "etc/systemd/system/g.service", 2)}


def test_compose_ports_expose_environment(tmp_path):
    compose = """services:
  web:
    image: node
    ports:
      - "8080:3000"
      - "127.0.0.1:9229:9229"
      - target: 5000
        published: 5001
  worker:
    expose: ["7000"]
  api:
    environment:
      PORT: "6000"
  broken: [not, a, mapping]
"""
    found = set(decls(tmp_path, {"srv/docker-compose.yml": compose}))
    assert {("web", None, 3000, "srv/docker-compose.yml", 5), ("host", None, 8080, "srv/docker-compose.yml", 5),
            ("host", "127.0.0.1", 9229, "srv/docker-compose.yml", 6), ("web", None, 5000, "srv/docker-compose.yml", 7),
            ("host", None, 5001, "srv/docker-compose.yml", 7), ("worker", None, 7000, "srv/docker-compose.yml", 10),
            ("api", None, 6000, "srv/docker-compose.yml", 13)} <= found


def test_pm2_files(tmp_path):
    js = "module.exports = {\n  apps: [{\n    name: 'api',\n    env: {\n      PORT: 3300,\n    },\n  }],\n};\n"
    found = decls(tmp_path, {"srv/app/ecosystem.config.js": js,
                             "srv/b/ecosystem.json": '{"apps": [{"name": "b", "env": {"PORT": "3400"}}]}\n'})
    assert ("host", None, 3300, "srv/app/ecosystem.config.js", 5) in found
    assert ("host", None, 3400, "srv/b/ecosystem.json", 1) in found


def test_unreadable_or_invalid_declarations_are_skipped(tmp_path):
    found = decls(tmp_path, {"srv/docker-compose.yml": "services: [unclosed\n",
                             "etc/systemd/system/x.service": "\xff binary?\n"})
    assert found == []


def test_configured_backends(tmp_path):
    found = decls(tmp_path, {}, Options(backends={"app": "127.0.0.1:3000"}))
    assert found == [("host", "127.0.0.1", 3000, "", 0)]
