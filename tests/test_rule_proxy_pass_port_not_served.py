import pytest

from gwlint.testing import lint, lint_tree

NGINX = """events {}
http {
    server {
        listen 80;
        location / {
            proxy_pass http://127.0.0.1:3001;  # keep  # expect: GW360
        }
    }
}
"""
UNIT = "[Service]\nEnvironment=PORT=3000\nExecStart=/usr/bin/node server.js\n"


def test_port_typo_against_systemd_unit_is_flagged_and_fixed(tmp_path):
    r = lint({"etc/nginx/nginx.conf": NGINX, "etc/systemd/system/app.service": UNIT}, tmp_path)
    r.assert_expected()
    (f,) = r.findings
    assert "did you mean port 3000" in f.message and "(111: Connection refused)" in f.message
    assert [(x.path, x.line) for x in f.related] == [("etc/systemd/system/app.service", 2)]
    assert f.fix.safe
    assert r.fixed_line("etc/nginx/nginx.conf", 6) == \
        "            proxy_pass http://127.0.0.1:3000;  # keep  # expect: GW360"
    assert r.relint().codes() == []


def test_unit_in_etc_overrides_the_packaged_one(tmp_path):
    """systemd reads etc/systemd/system/app.service instead of lib/'s: the old port is served no more."""
    old = UNIT.replace("3000", "3001")
    r = lint({"etc/nginx/nginx.conf": NGINX, "lib/systemd/system/app.service": old,
              "etc/systemd/system/app.service": UNIT}, tmp_path)
    r.assert_expected()
    (f,) = r.findings
    assert "did you mean port 3000 (systemd unit app.service (PORT=3000))" in f.message
    assert [(x.path, x.line) for x in f.related] == [("etc/systemd/system/app.service", 2)]


def test_dropin_resets_exec_start_and_moves_the_port(tmp_path):
    unit = "[Service]\nExecStart=/usr/bin/node server.js --port 3001\n"
    dropin = "[Service]\nExecStart=\nExecStart=/usr/bin/node server.js \\\n    --port 3000\n"
    r = lint({"etc/nginx/nginx.conf": NGINX, "lib/systemd/system/app.service": unit,
              "etc/systemd/system/app.service.d/port.conf": dropin}, tmp_path)
    r.assert_expected()
    (f,) = r.findings
    assert "did you mean port 3000" in f.message
    assert [(x.path, x.line) for x in f.related] == [("etc/systemd/system/app.service.d/port.conf", 3)]


def test_served_port_is_clean(tmp_path):
    assert lint({"etc/nginx/nginx.conf": NGINX.replace("3001", "3000"),
                 "etc/systemd/system/app.service": UNIT}, tmp_path).findings == []


def test_undeclared_host_stays_quiet(tmp_path):
    """Nothing in the tree declares a backend: gwlint cannot show a problem, so it says nothing."""
    assert lint({"etc/nginx/nginx.conf": NGINX}, tmp_path).findings == []


def test_external_hosts_are_not_checked(tmp_path):
    nginx = NGINX.replace("127.0.0.1:3001", "api.example.com:3001")
    assert lint({"etc/nginx/nginx.conf": nginx, "etc/systemd/system/app.service": UNIT}, tmp_path).findings == []


def test_several_far_ports_make_the_fix_unsafe(tmp_path):
    units = {"etc/systemd/system/a.service": "[Service]\nEnvironment=PORT=5000\n",
             "etc/systemd/system/b.service": "[Service]\nEnvironment=PORT=7000\n"}
    r = lint({"etc/nginx/nginx.conf": NGINX, **units}, tmp_path)
    (f,) = r.findings
    assert "did you mean port 5000" in f.message and not f.fix.safe


def test_upstream_servers_are_checked_one_by_one(tmp_path):
    nginx = NGINX.replace("http {\n", "http {\n    upstream app {\n        server 127.0.0.1:3000;\n"
                          "        server 127.0.0.1:3002;  # expect: GW360\n    }\n").replace(
        "http://127.0.0.1:3001;  # keep  # expect: GW360", "http://app;")
    r = lint({"etc/nginx/nginx.conf": nginx, "etc/systemd/system/app.service": UNIT}, tmp_path)
    r.assert_expected()


@pytest.mark.parametrize("name", ["backends-vhosts", "backends-systemd"])
def test_fixtures(fixtures_dir, name, tmp_path):
    import shutil

    broken = tmp_path / "broken"
    shutil.copytree(fixtures_dir / f"{name}-broken", broken, symlinks=True)
    r = lint_tree(broken)
    r.assert_expected()
    assert r.relint(unsafe=True).codes() == []  # every finding in these fixtures has a fix
    assert lint_tree(fixtures_dir / f"{name}-clean").findings == []
