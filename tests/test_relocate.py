"""gwlint.verify.relocate: the copy keeps every line where it was, and points paths and ports at loopback."""

from pathlib import Path

from gwlint.model.endpoint import Endpoint
from gwlint.testing import write_tree
from gwlint.verify.relocate import relocate

NGINX = """user nosuchuser-gw nosuchgroup-gw;
worker_processes auto;
pid /run/nginx.pid;
events {}
http {
    error_log /var/log/nginx/error.log warn;
    access_log /var/log/nginx/access.log;
    include /etc/nginx/conf.d/*.conf;
    upstream app { server 10.0.0.7:8000; server 10.0.0.8:8000; }
    server {
        listen 80; listen [::]:80;
        root /var/www/html;
        auth_basic_user_file /etc/passwd;
        location ~ \\.php$ { fastcgi_pass 10.0.0.5:9000; }
        location /sock { fastcgi_pass unix:/run/php/php8.2-fpm.sock; }
        location /app { proxy_pass http://app; }
        location /api { proxy_pass http://backend.internal:8080/v1/; }
    }
}
"""
FPM = """[global]
pid = /run/php/php8.2-fpm.pid
include=/etc/php/8.2/fpm/pool.d/*.conf
"""
POOLS = """[tcp]
user = www-data
listen = 127.0.0.1:9000
[sock]
user = www-data
listen = /run/php/php8.2-fpm.sock
listen.owner = nosuchuser-gw
slowlog = /var/log/php-slow.log
php_admin_value[error_log] = /var/log/fpm-php.www.log
"""


def tree(tmp_path: Path) -> Path:
    return write_tree({"etc/nginx/nginx.conf": NGINX, "etc/nginx/conf.d/x.conf": "",
                       "etc/php/8.2/fpm/php-fpm.conf": FPM, "etc/php/8.2/fpm/pool.d/www.conf": POOLS,
                       "var/www/html/index.php": "<?php echo 'OK';\n"}, tmp_path / "src")


def lines(reloc, rel):
    return (reloc.root / rel).read_text().splitlines()


def test_every_original_line_stays_on_its_line(tmp_path):
    src = tree(tmp_path)
    reloc = relocate(src, tmp_path / "dest")
    assert len(lines(reloc, "etc/php/8.2/fpm/pool.d/www.conf")) == len(POOLS.splitlines())
    # lines are only appended at the end: nginx main-level defaults, the FPM error_log
    assert lines(reloc, "etc/nginx/nginx.conf")[len(NGINX.splitlines()):] == \
        ["daemon off;", f"lock_file {reloc.root}/run/nginx.lock;"]
    assert lines(reloc, "etc/php/8.2/fpm/php-fpm.conf")[3:] == ["[global]", f"error_log = {reloc.root}/logs/php-fpm-0.log"]


def test_nginx_paths_ports_and_backends(tmp_path):
    reloc = relocate(tree(tmp_path), tmp_path / "dest")
    r, p = reloc.root, reloc.ports
    assert sorted(p) == [80, 8000, 8080, 9000] and len(set(p.values())) == 4
    conf = lines(reloc, "etc/nginx/nginx.conf")
    assert conf[0] == "user nobody nogroup;"  # users missing on this host
    assert conf[1:3] == ["worker_processes 1;", f"pid {r}/run/nginx.pid;"]
    assert conf[4].startswith(f"http {{ client_body_temp_path {r}/ngx-temp/body;")
    assert conf[5:8] == [f"    error_log {r}/logs/nginx-error.log warn;", f"    access_log {r}/logs/nginx-access.log;",
                         f"    include {r}/etc/nginx/conf.d/*.conf;"]
    # distinct non-loopback IPs stay distinct loopback addresses; ports map one to one
    assert conf[8] == f"    upstream app {{ server 127.0.0.2:{p[8000]}; server 127.0.0.3:{p[8000]}; }}"
    assert conf[10].split(";")[0] == f"        listen 127.0.0.1:{p[80]}"
    assert conf[11] == f"        root {r}/var/www/html;"
    assert conf[12] == "        auth_basic_user_file /etc/passwd;"  # not in the tree: this host's file
    assert conf[13] == f"        location ~ \\.php$ {{ fastcgi_pass 127.0.0.4:{p[9000]}; }}"
    assert conf[14] == f"        location /sock {{ fastcgi_pass unix:{r}/run/php/php8.2-fpm.sock; }}"
    assert conf[15] == "        location /app { proxy_pass http://app; }"  # an upstream's name
    assert conf[16] == f"        location /api {{ proxy_pass http://127.0.0.1:{p[8080]}/v1/; }}"
    assert (r / "run/php").is_dir() and (r / "logs").is_dir()


def test_fpm_paths_listen_and_run(tmp_path):
    reloc = relocate(tree(tmp_path), tmp_path / "dest")
    r, p = reloc.root, reloc.ports
    assert lines(reloc, "etc/php/8.2/fpm/php-fpm.conf")[1:3] == [
        f"pid = {r}/run/php/php8.2-fpm.pid", f"include = {r}/etc/php/8.2/fpm/pool.d/*.conf"]
    assert lines(reloc, "etc/php/8.2/fpm/pool.d/www.conf") == [
        "[tcp]", "user = www-data", f"listen = 127.0.0.1:{p[9000]}", "[sock]", "user = www-data",
        f"listen = {r}/run/php/php8.2-fpm.sock", "listen.owner = nobody", f"slowlog = {r}/var/log/php-slow.log",
        f"php_admin_value[error_log] = {r}/var/log/fpm-php.www.log"]
    (run,) = reloc.fpm
    assert run.listens == [Endpoint("tcp", host="127.0.0.1", port=p[9000]),
                           Endpoint("unix", path=f"{r}/run/php/php8.2-fpm.sock")]
    assert run.argv("php-fpm", "-t") == ["php-fpm", "-n", "-p", f"{r}/etc/php/8.2/fpm", "-y",
                                         f"{r}/etc/php/8.2/fpm/php-fpm.conf", "-t"]
    (ngx,) = reloc.nginx
    assert ngx.argv("nginx", r) == ["nginx", "-p", f"{r}/", "-e", f"{r}/logs/nginx-error.log",
                                    "-c", f"{r}/etc/nginx/nginx.conf"]


def test_overlay_and_mapping_back(tmp_path):
    src = tree(tmp_path)
    reloc = relocate(src, tmp_path / "dest", overlay={"etc/nginx/conf.d/x.conf": "# fixed\n"})
    assert (reloc.root / "etc/nginx/conf.d/x.conf").read_text() == "# fixed\n"
    assert (src / "etc/nginx/conf.d/x.conf").read_text() == ""
    assert reloc.original(f"{reloc.root}/etc/nginx/nginx.conf") == "etc/nginx/nginx.conf"
    assert reloc.original("/etc/nginx/nginx.conf") is None
    assert reloc.unrelocate(f'open() "{reloc.root}/run/nginx.pid" failed') == 'open() "/run/nginx.pid" failed'


def test_php_ini_chain_runs_with_c_and_scan_dir(fixtures_dir, tmp_path):
    reloc = relocate(fixtures_dir / "debian-clean", tmp_path / "dest")
    (run,) = reloc.fpm
    assert run.php_ini == reloc.root / "etc/php/8.2/fpm/php.ini"
    assert run.env()["PHP_INI_SCAN_DIR"] == str(reloc.root / "etc/php/8.2/fpm/conf.d")
    assert run.argv("php-fpm")[1:3] == ["-c", str(run.php_ini)]


def test_server_without_listen_gets_a_loopback_port_for_nginx_default_80(tmp_path):
    src = write_tree({"etc/nginx/nginx.conf": "events {}\nhttp {\n    server {\n        root /srv;\n    }\n}\n"},
                     tmp_path / "src")
    reloc = relocate(src, tmp_path / "dest")
    port = reloc.ports[80]
    assert lines(reloc, "etc/nginx/nginx.conf")[2] == f"    server {{ listen 127.0.0.1:{port};"
    assert reloc.nginx[0].listens == [Endpoint("tcp", host="127.0.0.1", port=port)]


def test_lone_user_gets_a_host_group_and_declared_backends_get_ports(tmp_path):
    src = write_tree({
        "etc/nginx/nginx.conf": "user nosuchuser-gw;\nevents {}\nhttp { server { listen 10.0.0.5:80;\n"
                                "    location / { proxy_pass http://10.0.0.5:3001; } } }\n",
        "etc/systemd/system/app.service": "[Service]\nExecStart=/usr/bin/app --bind 127.0.0.1:3000\n",
    }, tmp_path / "src")
    reloc = relocate(src, tmp_path / "dest")
    assert lines(reloc, "etc/nginx/nginx.conf")[0] == "user nobody nogroup;"  # nginx: the lone user's group
    assert sorted(reloc.ports) == [80, 3000, 3001]  # the unit's port too, for a stand-in
    assert reloc.hosts == {"10.0.0.5": "127.0.0.2"}
    assert reloc.addresses("10.0.0.5") == ["127.0.0.2"]
    assert reloc.addresses("127.0.0.1") == reloc.addresses("localhost") == ["127.0.0.1"]
    assert reloc.addresses(None) == reloc.addresses("0.0.0.0") == ["127.0.0.1", "127.0.0.2"]


def test_wildcard_pool_is_bound_where_nginx_aims_at_its_port(tmp_path):
    # nginx reaches the pool over the LAN address 10.0.0.5: the real `listen = 9000` accepts it, so
    # the copy binds the pool on 10.0.0.5's stand-in; a pool on 127.0.0.1 keeps refusing it
    files = {"etc/nginx/nginx.conf": NGINX, "etc/php/8.2/fpm/php-fpm.conf": FPM,
             "etc/php/8.2/fpm/pool.d/www.conf": POOLS.replace("listen = 127.0.0.1:9000", "listen = 9000")}
    reloc = relocate(write_tree(files, tmp_path / "src"), tmp_path / "dest")
    assert lines(reloc, "etc/php/8.2/fpm/pool.d/www.conf")[2] == f"listen = {reloc.hosts['10.0.0.5']}:{reloc.ports[9000]}"
    # aimed at from two addresses (or none): 127.0.0.1, as before
    files["etc/nginx/nginx.conf"] = NGINX.replace("location /sock", "location /lo { fastcgi_pass 127.0.0.1:9000; }\n"
                                                  "        location /sock")
    reloc = relocate(write_tree(files, tmp_path / "src2"), tmp_path / "dest2")
    assert lines(reloc, "etc/php/8.2/fpm/pool.d/www.conf")[2] == f"listen = 127.0.0.1:{reloc.ports[9000]}"
