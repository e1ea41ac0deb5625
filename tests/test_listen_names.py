"""A pool listening on a host name binds the first address it resolves to; "did you mean" prefers
the pool no site uses."""

from gwlint.testing import lint

FPM = "[global]\ninclude=/etc/php/8.2/fpm/pool.d/*.conf\n"
POOL = "[{name}]\nuser = {user}\nlisten = {listen}\nlisten.owner = www-data\nlisten.group = www-data\n" \
       "pm = static\npm.max_children = 5\n"


def nginx(*targets: str) -> str:
    servers = "".join(f"    server {{\n        listen {80 + i};\n        location ~ \\.php$ {{\n"
                      f"            fastcgi_pass {t};\n        }}\n    }}\n" for i, t in enumerate(targets))
    return "user www-data;\nevents {}\nhttp {\n" + servers + "}\n"


def tree(targets, pools, hosts=None):
    files = {"etc/nginx/nginx.conf": nginx(*targets), "etc/php/8.2/fpm/php-fpm.conf": FPM}
    for name, user, listen in pools:
        files[f"etc/php/8.2/fpm/pool.d/{name}.conf"] = POOL.format(name=name, user=user, listen=listen)
    if hosts is not None:
        files["etc/hosts"] = hosts
    return files


def test_localhost_pool_is_127_0_0_1_where_etc_hosts_says_so(tmp_path):
    r = lint(tree(["127.0.0.1:9000"], [("www", "www-data", "localhost:9000")], "127.0.0.1 localhost\n"), tmp_path)
    assert r.findings == []


def test_localhost_pool_is_v6_where_etc_hosts_lists_it(tmp_path):
    hosts = "127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n"
    r = lint(tree(["127.0.0.1:9000"], [("www", "www-data", "localhost:9000")], hosts), tmp_path)
    (f,) = r.findings
    assert (f.code, f.severity.value) == ("GW301", "error")
    assert "did you mean [::1]:9000" in f.message
    assert r.fixed_line("etc/nginx/nginx.conf", 7) == "            fastcgi_pass [::1]:9000;"
    assert r.relint().findings == []  # no GW103: the fix names the address, not localhost


def test_localhost_pool_without_etc_hosts_is_a_warning_without_fix(tmp_path):
    r = lint(tree(["127.0.0.1:9000"], [("www", "www-data", "localhost:9000")]), tmp_path)
    (f,) = r.findings
    assert (f.code, f.severity.value, f.fix) == ("GW301", "warning", None)
    assert "the tree holds no etc/hosts" in f.message and "listen = 127.0.0.1:9000" in f.message


def test_did_you_mean_prefers_the_socket_no_site_uses(tmp_path):
    pools = [("alice", "alice", "/run/php/php8.2-fpm-alice.sock"), ("bob", "bob", "/run/php/php8.2-fpm.sock")]
    r = lint(tree(["unix:/run/php/php8.1-fpm.sock", "unix:/run/php/php8.2-fpm.sock"], pools), tmp_path)
    (f,) = r.findings
    assert "did you mean unix:/run/php/php8.2-fpm-alice.sock (pool 'alice')" in f.message


def test_a_socket_another_site_uses_is_no_safe_fix(tmp_path):
    pools = [("bob", "bob", "/run/php/php8.2-fpm.sock")]
    r = lint(tree(["unix:/run/php/php8.1-fpm.sock", "unix:/run/php/php8.2-fpm.sock"], pools), tmp_path)
    (f,) = r.findings
    assert "pool 'bob'" in f.message and f.fix is not None and f.fix.safe is False


def test_did_you_mean_prefers_the_user_this_site_already_runs_as(tmp_path):
    # the site's /app location reaches alice's pool; its broken / location gets alice's other socket
    pools = [("bob", "bob", "/run/php/php8.1-fpm-y.sock"), ("alice-api", "alice", "/run/php/php8.2-fpm-a.sock"),
             ("alice", "alice", "/run/php/alice.sock")]
    files = tree(["unix:/run/php/php8.1-fpm-x.sock"], pools)
    files["etc/nginx/nginx.conf"] = files["etc/nginx/nginx.conf"].replace(
        "        location ~ \\.php$ {", "        location /app {\n            fastcgi_pass unix:/run/php/alice.sock;\n"
        "        }\n        location ~ \\.php$ {", 1)
    (f,) = lint(files, tmp_path).findings
    assert "did you mean unix:/run/php/php8.2-fpm-a.sock (pool 'alice-api')" in f.message
