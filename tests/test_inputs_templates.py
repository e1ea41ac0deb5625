"""Unrendered templates in any file kind: reported (GW903, info), not linted, never edited."""

import shutil
from pathlib import Path

import pytest

from gwlint.cli import app
from gwlint.load.template import find_template, is_env_value
from gwlint.model.workspace import load_workspace
from gwlint.testing import CliRunner, lint, lint_tree

FIXTURE = Path(__file__).parent.parent / "fixtures" / "templates-mixed"
# every template in the fixture, at the line that marks it
EXPECTED = {
    ("etc/nginx/conf.d/api.conf", 4), ("etc/nginx/conf.d/status.conf", 3),
    ("etc/nginx/conf.d/upstreams.conf.j2", 1), ("etc/nginx/templates/default.conf.template", 2),
    ("etc/php/8.2/fpm/conf.d/90-deploy.ini", 2), ("etc/php/8.2/fpm/conf.d/95-site.ini", 2),
    ("etc/php/8.2/fpm/pool.d/app.conf", 9), ("etc/php/8.2/fpm/pool.d/worker.conf", 9),
}


def check(*args):
    result = CliRunner().invoke(app, ["check", *map(str, args), "--format", "json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_a_tree_with_templates_of_several_kinds_reports_each_and_nothing_else(tmp_path):
    import json

    root = shutil.copytree(FIXTURE, tmp_path / "t", symlinks=True)
    result = check(root)
    assert result.exit_code == 1  # info findings only: never exit 2
    findings = json.loads(result.stdout)["findings"]
    assert {(f["path"], f["line"]) for f in findings} == EXPECTED
    assert {(f["code"], f["severity"]) for f in findings} == {("GW903", "info")}
    assert CliRunner().invoke(app, ["check", str(root), "--diff"]).stdout == ""
    ws = load_workspace(root)
    assert sorted(p.name for p in ws.pools) == ["www"]  # the template pools are not read as config


def test_the_broken_twin_is_still_caught_at_its_line(tmp_path):
    root = shutil.copytree(FIXTURE, tmp_path / "t", symlinks=True)
    site = root / "etc/nginx/sites-available/default"
    site.write_text(site.read_text().replace("php8.2-fpm.sock", "php8.1-fpm.sock"))
    line = site.read_text().splitlines().index("        fastcgi_pass unix:/run/php/php8.1-fpm.sock;") + 1
    r = lint_tree(root, select=("GW301",))
    assert [(f.path, f.line) for f in r.findings if f.code == "GW301"] == [("etc/nginx/sites-available/default", line)]
    assert len(r.findings) == 1 + len(EXPECTED)


@pytest.mark.parametrize("text, rel, kind, line", [
    ("server {\n    listen {{ port }};\n}\n", "a.conf", "nginx", 2),
    ("[www]\n{% if x %}\nlisten = 9000\n{% endif %}\n", "www.conf", "ini", 2),
    ("[www]\npm.max_children = {{ n }}\n", "www.conf", "ini", 2),
    ("server {\n  server_name ${HOST:-example.org};\n}\n", "a.conf", "nginx", 2),
    ("server {\n  server_name <DOMAIN>;\n}\n", "a.conf", "nginx", 2),
    ("[www]\nlisten = <PORT>\n", "www.conf", "ini", 2),
    ("[www]\nuser = @php_fpm_user@\n", "www.conf.in", "ini", 2),
    ("date.timezone = %TZ_NAME%\n", "php.ini", "ini", 1),
    ("[www]\npm.max_children = __CHILDREN__\n", "www.conf", "ini", 2),
    ("server {\n  listen 80;\n  server_name $NGINX_HOST;\n}\n", "default.conf.template", "nginx", 3),
    ("server {\n  listen 80;\n}\n", "site.conf.j2", "nginx", 1),
])
def test_template_marks(text, rel, kind, line):
    assert find_template(text, rel, kind)[0] == line


@pytest.mark.parametrize("text, kind", [
    ('location ~ ^/(?<app>[a-z]+)/(?P<ID>\\d+)$ { return 200 "<b>$app</b>"; }\n', "nginx"),
    ("location / { try_files $uri @php; }\nlocation @php { return 200 '<HTML>'; }\n", "nginx"),
    ('add_header Content-Disposition "attachment; filename*=UTF-8\'\'%E2%82%AC.txt";\n', "nginx"),
    ("set $x \"${scheme}://${host}\";  # nginx's own ${var}\n", "nginx"),
    ("# {example} %TODO% @see@ <NOTE> __FOO__ are in a comment\nserver { }\n", "nginx"),
    ('access.format = "%R - %u %t \\"%m %r\\" %s %f %{mili}d %{kilo}M %C%%"\n', "ini"),
    ("sendmail_from = www@example.org\nlisten = ${PORT}\nerror_log = ${LOG:-/dev/stderr}\n", "ini"),
    ("; <PORT> @x@ %TZ_NAME% {{ x }}? no: only the closed Jinja pair counts\nx = 1\n", "ini"),
])
def test_configs_that_are_not_templates(text, kind):
    found = find_template(text, "x.conf", kind)
    assert found is None or (kind == "ini" and found[1].startswith("Jinja")), found


def test_php_env_values_are_unknown_not_wrong_and_never_edited(tmp_path):
    assert is_env_value("${PORT}") and is_env_value("/run/php/${POOL}.sock") and not is_env_value("$pool")
    r = lint({
        "etc/nginx/nginx.conf": "user www-data;\nevents {}\nhttp {\n    server {\n        listen 80;\n"
                                "        location ~ \\.php$ { fastcgi_pass unix:/run/php/app.sock; }\n    }\n}\n",
        "etc/php/8.2/fpm/php-fpm.conf": "[global]\ninclude=/etc/php/8.2/fpm/pool.d/*.conf\n",
        "etc/php/8.2/fpm/pool.d/www.conf": "[www]\nuser = ${FPM_USER}\ngroup = www-data\n"
                                           "listen = /run/php/app.sock\nlisten.owner = ${SOCK_OWNER}\n"
                                           "listen.group = www-data\npm = ${PM_STYLE}\n"
                                           "pm.max_children = ${CHILDREN}\nrequest_terminate_timeout = ${T}\n"
                                           "php_admin_value[memory_limit] = ${MEM:-256M}\n",
        "etc/php/8.2/fpm/php.ini": "[PHP]\nupload_max_filesize = ${UPLOAD}\npost_max_size = ${POST}\n",
    }, tmp_path)
    assert r.findings == [] and r.fixed(unsafe=True).changed == []


def test_a_fix_never_overwrites_a_value_from_the_environment(tmp_path):
    from gwlint.fix.edits import set_ini

    r = lint({"etc/php/8.2/fpm/pool.d/www.conf": "[www]\nlisten = /run/a.sock\nlisten.owner = ${OWNER}\n"
                                                 "listen.group = www-data\n"}, tmp_path, select=())
    [pool] = r.workspace.pools
    assert set_ini(r.workspace, pool, "listen.owner", "www-data", "t") is None
    assert set_ini(r.workspace, pool, "listen.group", "nginx", "t") is not None
