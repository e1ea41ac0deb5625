"""Discovery: nginx entries, FPM installs with their pools and php.ini chains, per layout."""

import shutil

from gwlint.load.fsroot import Root
from gwlint.model.workspace import load_workspace
from gwlint.testing import write_tree


def installs(ws):
    return [(i.conf, [p.name for p in i.pools], i.php_ini_files) for i in ws.installs]


def fpm_tree(version, listen):
    base = f"etc/php/{version}/fpm"
    return {f"{base}/php-fpm.conf": f"[global]\ninclude=/{base}/pool.d/*.conf\n",
            f"{base}/pool.d/www.conf": f"[www]\nlisten = {listen}\n",
            f"{base}/php.ini": f"[PHP]\nmemory_limit = {version}M\n",
            f"{base}/conf.d/20-b.ini": "post_max_size = 20M\n",
            f"{base}/conf.d/10-a.ini": "post_max_size = 10M\nmemory_limit = 1G\n"}


def test_debian_with_two_php_versions_each_with_its_own_chain(tmp_path):
    root = write_tree({"etc/nginx/nginx.conf": "events {}\n",
                       **fpm_tree("8.1", "/run/php/php8.1-fpm.sock"),
                       **fpm_tree("8.2", "/run/php/php8.2-fpm.sock")}, tmp_path)
    ws = load_workspace(root)
    assert [i.entry for i in ws.nginx] == ["etc/nginx/nginx.conf"]
    assert installs(ws) == [
        ("etc/php/8.1/fpm/php-fpm.conf", ["www"], ["etc/php/8.1/fpm/php.ini", "etc/php/8.1/fpm/conf.d/10-a.ini",
                                                   "etc/php/8.1/fpm/conf.d/20-b.ini"]),
        ("etc/php/8.2/fpm/php-fpm.conf", ["www"], ["etc/php/8.2/fpm/php.ini", "etc/php/8.2/fpm/conf.d/10-a.ini",
                                                   "etc/php/8.2/fpm/conf.d/20-b.ini"]),
    ]
    old, new = ws.pools
    assert str(old.listen) == "unix:/run/php/php8.1-fpm.sock" and str(new.listen) == "unix:/run/php/php8.2-fpm.sock"
    # scan dir in name order, later wins: 20-b.ini over 10-a.ini over php.ini
    assert new.php_ini("post_max_size").value == "20M"
    assert (new.php_ini("memory_limit").value, new.php_ini("memory_limit").path) == \
        ("1G", "etc/php/8.2/fpm/conf.d/10-a.ini")


def test_rhel_layout(fixtures_dir):
    ws = load_workspace(fixtures_dir / "rhel-clean")
    assert [i.entry for i in ws.nginx] == ["etc/nginx/nginx.conf"]
    # etc/nginx/conf.d/php-fpm.conf is nginx's upstream file, not an FPM config
    assert installs(ws) == [("etc/php-fpm.conf", ["www"], ["etc/php.ini", "etc/php.d/10-opcache.ini"])]


def test_docker_layout_with_prefix_relative_include(fixtures_dir):
    ws = load_workspace(fixtures_dir / "docker-clean")
    (install,) = ws.installs
    assert install.conf == "usr/local/etc/php-fpm.conf"
    assert install.files == ["usr/local/etc/php-fpm.conf", "usr/local/etc/php-fpm.d/docker.conf",
                             "usr/local/etc/php-fpm.d/www.conf", "usr/local/etc/php-fpm.d/zz-docker.conf"]
    assert install.php_ini_files[0] == "usr/local/etc/php/php.ini"
    assert str(ws.pools[0].listen) == "*:9000"


def test_alpine_layout(fixtures_dir):
    ws = load_workspace(fixtures_dir / "alpine-clean")
    assert installs(ws) == [("etc/php82/php-fpm.conf", ["www"], ["etc/php82/php.ini", "etc/php82/conf.d/00_opcache.ini"])]
    assert [d.path for d in ws.directives("fastcgi_pass")] == ["etc/nginx/http.d/default.conf"]


def test_nginx_config_dir_as_root_maps_etc_nginx(tmp_path, fixtures_dir):
    shutil.copytree(fixtures_dir / "debian-clean/etc/nginx", tmp_path / "nginx", symlinks=True)
    ws = load_workspace(tmp_path / "nginx")
    assert [i.entry for i in ws.nginx] == ["nginx.conf"]
    (fastcgi_pass,) = ws.directives("fastcgi_pass")
    assert fastcgi_pass.path == "sites-available/default"
    assert len(ws.directives("fastcgi_param")) > 10  # /etc/nginx/... includes resolved in the dir
    assert ws.problems == [] and ws.installs == []


def test_loose_pool_dir_without_main_config(tmp_path):
    root = write_tree({"etc/php-fpm.d/www.conf": "[www]\nlisten = 127.0.0.1:9000\n",
                       "etc/php-fpm.d/other.conf": "[other]\nlisten = 127.0.0.1:9001\n"}, tmp_path)
    ws = load_workspace(root)
    assert [(i.conf, sorted(p.name for p in i.pools)) for i in ws.installs] == [(None, ["other", "www"])]


def test_included_nginx_conf_is_not_an_entry_of_its_own(tmp_path):
    root = write_tree({"etc/nginx/nginx.conf": "events {}\nhttp { include /etc/nginx/other/nginx.conf; }\n",
                       "etc/nginx/other/nginx.conf": "gzip on;\n"}, tmp_path)
    assert [i.entry for i in load_workspace(root).nginx] == ["etc/nginx/nginx.conf"]


def test_explicit_nginx_file_replaces_nginx_discovery_only(tmp_path):
    root = write_tree({"etc/nginx/nginx.conf": "events {}\n", "srv/a.conf": "events {}\nuser a;\n",
                       **fpm_tree("8.2", "9000")}, tmp_path)
    ws = load_workspace(root, nginx=[root / "srv/a.conf"], php_ini=[root / "etc/php/8.2/fpm/conf.d/20-b.ini"])
    assert [i.entry for i in ws.nginx] == ["srv/a.conf"]
    assert [i.conf for i in ws.installs] == ["etc/php/8.2/fpm/php-fpm.conf"]  # FPM still discovered
    assert ws.installs[0].php_ini_files == ["etc/php/8.2/fpm/conf.d/20-b.ini"]


def test_explicit_fpm_and_php_ini_chain(tmp_path):
    root = write_tree({"etc/nginx/nginx.conf": "events {}\n", **fpm_tree("8.2", "9000"),
                       "srv/override.ini": "post_max_size = 99M\n"}, tmp_path)
    ws = load_workspace(root, fpm=[root / "etc/php/8.2/fpm/php-fpm.conf"],
                        php_ini=[root / "etc/php/8.2/fpm/php.ini", root / "srv/override.ini"])
    assert [i.entry for i in ws.nginx] == ["etc/nginx/nginx.conf"]  # nginx is still discovered
    (install,) = ws.installs
    assert install.php_ini_files == ["etc/php/8.2/fpm/php.ini", "srv/override.ini"]
    assert ws.pools[0].php_ini("post_max_size").value == "99M"


def test_the_real_root_slash_is_a_root_like_any_other():
    root = Root("/")
    assert root.contains("/etc") and root.rel("/etc/nginx/nginx.conf") == "etc/nginx/nginx.conf"
    assert root.map_config_path("/etc/nginx/x.conf", "/") == "/etc/nginx/x.conf"


def test_the_running_system_is_searched_only_where_configs_live(tmp_path, monkeypatch):
    """ROOT / (gwlint doctor's default): etc and usr/local/etc, never /proc, /usr or home dirs."""
    from gwlint.load import discover as discovery
    from gwlint.load.fsroot import Root

    for rel in ("etc/nginx/nginx.conf", "usr/local/etc/php-fpm.conf", "home/dev/site/nginx.conf",
                "proc/1/php-fpm.conf"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("")
    real = discovery.os.path.realpath
    monkeypatch.setattr(discovery.os.path, "realpath", lambda p: "/" if str(p) == str(tmp_path) else real(p))
    found = discovery.discover(Root(tmp_path))
    assert found.nginx_entries == [f"{tmp_path}/etc/nginx/nginx.conf"]
    assert found.fpm_confs == [f"{tmp_path}/usr/local/etc/php-fpm.conf"]
