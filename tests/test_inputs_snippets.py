"""One nginx file alone (`gwlint check FILE [--context ...]`), and snippets inside their tree."""

import json
from pathlib import Path

import pytest

from gwlint.cli import app
from gwlint.load.inputs import file_inputs
from gwlint.load.snippet import guess_context
from gwlint.model.workspace import load_workspace
from gwlint.testing import CliRunner, lint

LOCATION_BODY = """\
# a location body: no block around it
include fastcgi_params;
fastcgi_pass unix:/run/php/php8.2-fpm.sock;
fastcgi_read_timeout 60s;
"""
SERVER_FILE = "server {\n    listen 80;\n    location / { proxy_pass http://127.0.0.1:8080; }\n}\n"


def run(*args):
    result = CliRunner().invoke(app, ["check", *args])
    assert not result.exception or isinstance(result.exception, SystemExit), result.exception
    return result


@pytest.mark.parametrize("text, context", [
    (LOCATION_BODY, "location"), (SERVER_FILE, "http"), ("listen 80;\nlocation / {}\n", "server"),
    ("events {}\nhttp {}\n", "main"), ("", "main"), ("server {", "main"),
])
def test_context_is_guessed_from_top_level_directives(text, context):
    assert guess_context(text, "f.conf") == context


def test_location_body_is_linted_inside_a_synthetic_location(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "snippets").mkdir()
    (tmp_path / "snippets/php.conf").write_text(LOCATION_BODY)
    inputs = file_inputs(tmp_path / "snippets/php.conf", "location")
    ws = load_workspace(inputs.root, nginx=inputs.nginx, overlay=inputs.overlay)
    [route] = ws.php_routes()
    assert (route.directive.path, route.directive.line) == ("php.conf", 3)
    assert route.location.name == "location" and route.location.ancestor("http") is not None
    assert route.location.inherited("fastcgi_read_timeout").line == 4


def test_findings_keep_the_snippets_path_and_lines(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "snippets").mkdir()
    (tmp_path / "snippets/php.conf").write_text(LOCATION_BODY)
    result = run("snippets/php.conf", "--context", "auto", "--format", "json")  # guessed: location
    assert result.exit_code == 1
    [finding] = json.loads(result.stdout)["findings"]
    assert (finding["path"], finding["line"], finding["code"]) == ("snippets/php.conf", 2, "GW901")  # as typed
    assert run("snippets/php.conf", "--context", "server").exit_code == 1


def test_syntax_error_in_a_snippet_is_reported_at_its_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "site.conf").write_text("server {\n    location / {\n        root /srv;\n}\n")
    result = run("site.conf", "--context", "http")
    assert result.exit_code == 2
    assert result.stderr.startswith('gwlint: error: site.conf:1: "server" block is never closed')


def test_context_needs_a_file(tmp_path):
    result = run(str(tmp_path), "--context", "server")
    assert result.exit_code == 2 and "needs one nginx file" in result.stderr


def test_snippet_in_a_tree_is_linted_where_the_tree_includes_it(tmp_path):
    r = lint({
        "etc/nginx/nginx.conf": "events {}\nhttp {\n    include /etc/nginx/sites-enabled/*;\n}\n",
        "etc/nginx/sites-enabled/app": "server {\n    location ~ \\.php$ {\n"
                                       "        include /etc/nginx/snippets/php.conf;\n    }\n}\n",
        "etc/nginx/snippets/php.conf": "fastcgi_pass unix:/run/php/php8.1-fpm.sock;  # expect: GW301\n",
        "etc/php/8.2/fpm/pool.d/www.conf": "[www]\nlisten = /run/php/php8.2-fpm.sock\n",
    }, tmp_path, select=("GW301",))
    r.assert_expected()
    [route] = r.workspace.php_routes()
    assert route.location.name == "location" and route.directive.via.path == "etc/nginx/sites-enabled/app"


def test_one_file_sees_only_its_own_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "other/etc/php/8.2/fpm/pool.d").mkdir(parents=True)
    (tmp_path / "other/etc/php/8.2/fpm/pool.d/www.conf").write_text("[www]\nlisten = /run/x.sock\n")
    (tmp_path / "snips").mkdir()
    (tmp_path / "snips/php.conf").write_text(LOCATION_BODY)
    inputs = file_inputs(Path("snips/php.conf"), None)
    ws = load_workspace(inputs.root, nginx=inputs.nginx, overlay=inputs.overlay)
    assert inputs.root == tmp_path / "snips" and ws.installs == [] and len(ws.php_routes()) == 1
