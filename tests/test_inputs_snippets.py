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
    (tmp_path / "snippets/php.conf").write_text(LOCATION_BODY + "include snippets/app.conf;\n")
    result = run("snippets/php.conf", "--context", "auto", "--format", "json")  # guessed: location
    assert result.exit_code == 1
    [finding] = json.loads(result.stdout)["findings"]  # (fastcgi_params is nginx's stock file: not missed)
    assert (finding["path"], finding["line"], finding["code"]) == ("snippets/php.conf", 5, "GW901")  # as typed
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
    inputs = file_inputs("snips/php.conf", None)
    ws = load_workspace(inputs.root, nginx=inputs.nginx, overlay=inputs.overlay)
    assert inputs.root == f"{tmp_path}/snips" and ws.installs == [] and len(ws.php_routes()) == 1


FIXTURES = Path(__file__).parent.parent / "fixtures"


def test_a_snippet_in_a_config_dir_resolves_includes_against_nginxs_prefix(tmp_path, monkeypatch):
    """nginx reads `include fastcgi.conf;` in /etc/nginx/snippets/x from /etc/nginx/fastcgi.conf."""
    import shutil

    tree = Path(shutil.copytree(FIXTURES / "debian-clean", tmp_path / "t", symlinks=True))
    monkeypatch.chdir(tree)
    snippet = "etc/nginx/snippets/fastcgi-php.conf"
    assert "include fastcgi.conf;" in (tree / snippet).read_text()
    result = run(snippet, "--context", "location", "--format", "json")
    assert result.exit_code == 0, result.stdout
    assert json.loads(result.stdout)["findings"] == []
    assert run("etc/nginx/sites-available/default", "--context", "http").exit_code == 0
    # the broken twin: an include nginx would not find is still an error at its line
    (tree / snippet).write_text((tree / snippet).read_text().replace("include fastcgi.conf;", "include fastcgi.cnf;"))
    result = run(snippet, "--context", "location", "--format", "json")
    line = (tree / snippet).read_text().splitlines().index("include fastcgi.cnf;") + 1
    [finding] = json.loads(result.stdout)["findings"]
    assert (finding["path"], finding["line"], finding["code"], finding["severity"]) == \
        (snippet, line, "GW901", "error")  # the path as typed


def test_a_snippet_alone_does_not_miss_nginxs_stock_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "php.conf").write_text(LOCATION_BODY + "include /etc/nginx/mime.types;\ninclude snippets/ssl.conf;\n")
    result = run("php.conf", "--context", "auto", "--format", "json")
    findings = json.loads(result.stdout)["findings"]
    assert [(f["line"], f["code"], f["severity"]) for f in findings] == [(6, "GW901", "warning")]
    assert "nginx resolves it against its prefix (/etc/nginx)" in findings[0]["message"]
