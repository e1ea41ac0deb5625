"""Runtime aliases: /var/run is /run, and Debian's /run/php/php-fpm.sock leads to the www pool's socket."""

from gwlint.model.runtime import run_path
from gwlint.testing import lint

FPM_CONF = "[global]\ninclude=/etc/php/{v}/fpm/pool.d/*.conf\n"
POOL = """[www]
user = www-data
listen = {listen}
listen.owner = www-data
listen.group = www-data
pm = static
pm.max_children = 5
"""
UNIT = """[Service]
ExecStart=/usr/sbin/php-fpm{v} --nodaemonize --fpm-config /etc/php/{v}/fpm/php-fpm.conf
ExecStartPost=-/usr/lib/php/php-fpm-socket-helper install /run/php/php-fpm.sock /etc/php/{v}/fpm/pool.d/www.conf {p}
ExecStopPost=-/usr/lib/php/php-fpm-socket-helper remove /run/php/php-fpm.sock /etc/php/{v}/fpm/pool.d/www.conf {p}
"""
SITE = "etc/nginx/nginx.conf"


def nginx(target: str) -> str:
    return ("user www-data;\nevents {}\nhttp {\n    server {\n        listen 80;\n"
            "        location ~ \\.php$ {\n"
            f"            fastcgi_pass {target};\n        }}\n    }}\n}}\n")


def tree(target: str, versions=(("8.2", "/run/php/php8.2-fpm.sock"),), units: bool = True) -> dict[str, str]:
    files = {SITE: nginx(target)}
    for v, listen in versions:
        files[f"etc/php/{v}/fpm/php-fpm.conf"] = FPM_CONF.format(v=v)
        files[f"etc/php/{v}/fpm/pool.d/www.conf"] = POOL.format(listen=listen)
        if units:
            files[f"lib/systemd/system/php{v}-fpm.service"] = UNIT.format(v=v, p=v.replace(".", ""))
    return files


def test_run_path():
    assert run_path("/var/run/php/x.sock") == "/run/php/x.sock"
    assert run_path("/run/php/x.sock") == "/run/php/x.sock"
    assert run_path("/var/running/x.sock") == "/var/running/x.sock"


def test_var_run_reaches_the_pool_on_run(tmp_path):
    r = lint(tree("unix:/var/run/php/php8.2-fpm.sock"), tmp_path)
    assert r.findings == []
    (route,) = r.workspace.php_routes()
    assert [p.name for p in route.backends[0].pools] == ["www"]


def test_run_reaches_the_pool_on_var_run(tmp_path):
    r = lint(tree("unix:/run/php/php8.2-fpm.sock", (("8.2", "/var/run/php/php8.2-fpm.sock"),)), tmp_path)
    assert r.findings == []


def test_var_run_typo_is_still_caught(tmp_path):
    r = lint(tree("unix:/var/run/php/php8.1-fpm.sock"), tmp_path)
    assert [(f.code, f.line) for f in r.findings] == [("GW301", 7)]
    assert "php8.2-fpm.sock" in r.findings[0].message


def test_php_fpm_sock_follows_the_helper_of_the_unit(tmp_path):
    r = lint(tree("unix:/run/php/php-fpm.sock"), tmp_path)
    assert r.findings == []
    (alias,) = r.workspace.socket_aliases.values()
    assert (alias.target, alias.priority, alias.source.path) == ("/run/php/php8.2-fpm.sock", 82,
                                                                 "lib/systemd/system/php8.2-fpm.service")


def test_php_fpm_sock_by_debian_convention_without_units(tmp_path):
    r = lint(tree("unix:/var/run/php/php-fpm.sock", units=False), tmp_path)
    assert r.findings == []
    (alias,) = r.workspace.socket_aliases.values()
    assert alias.source is None and alias.priority == 82


def test_highest_priority_version_wins(tmp_path):
    versions = (("8.1", "/run/php/php8.1-fpm.sock"), ("8.2", "/run/php/php8.2-fpm.sock"))
    r = lint(tree("unix:/run/php/php-fpm.sock", versions), tmp_path)
    assert r.findings == []
    (route,) = r.workspace.php_routes()
    assert [p.install.conf for p in route.backends[0].pools] == ["etc/php/8.2/fpm/php-fpm.conf"]


def test_no_link_when_www_listens_on_tcp(tmp_path):
    # the helper only links an existing unix socket: nginx gets ENOENT on php-fpm.sock
    r = lint(tree("unix:/run/php/php-fpm.sock", (("8.2", "127.0.0.1:9000"),)), tmp_path)
    assert [(f.code, f.line) for f in r.findings] == [("GW301", 7)]
    assert "(2: No such file or directory)" in r.findings[0].message
    assert r.workspace.socket_aliases == {}


def test_no_link_when_the_listen_line_has_a_comment(tmp_path):
    files = tree("unix:/run/php/php-fpm.sock")
    pool = "etc/php/8.2/fpm/pool.d/www.conf"
    files[pool] = files[pool].replace(".sock\n", ".sock ; the socket\n", 1)
    r = lint(files, tmp_path)  # sed keeps the comment: `[ -S "/run/... ; the socket" ]` fails
    assert [f.code for f in r.findings] == ["GW301"]


def test_unit_without_the_helper_makes_no_link(tmp_path):
    files = tree("unix:/run/php/php-fpm.sock")
    unit = "lib/systemd/system/php8.2-fpm.service"
    files[unit] = "\n".join(line for line in files[unit].splitlines() if "helper" not in line) + "\n"
    files["lib/systemd/system/php8.2-fpm.service.d/helper.conf"] = "[Service]\nExecStartPost=\n"
    assert [f.code for f in lint(files, tmp_path).findings] == ["GW301"]


def test_pools_on_var_run_and_run_share_one_socket(tmp_path):
    files = tree("unix:/run/php/php8.2-fpm.sock")
    files["etc/php/8.2/fpm/pool.d/app.conf"] = POOL.replace("[www]", "[app]").format(
        listen="/var/run/php/php8.2-fpm.sock")
    assert "GW305" in lint(files, tmp_path).codes()
