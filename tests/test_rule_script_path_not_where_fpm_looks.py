from rule_trees import site_tree

from gwlint.testing import lint, lint_tree, write_tree

POOL = """[www]
user = www-data
listen = 127.0.0.1:9000
pm = static
pm.max_children = 5
"""

SITE = """user www-data;
events {}
http {
    server {
        listen 80;
        location ~ \\.php$ {
            include fastcgi.conf;
            fastcgi_pass 127.0.0.1:9000;  # expect: GW381
        }
    }
}
"""


def tree(site=SITE, pool=POOL):
    return site_tree(site, pool)


def with_root(root):
    return SITE.replace("        listen 80;\n", f"        listen 80;\n        root {root};\n")


def test_no_root_in_scope(tmp_path):
    r = lint(tree(), tmp_path, select=["GW381"])
    r.assert_expected()
    (f,) = r.findings
    assert "/usr/share/nginx/html" in f.message and "Primary script unknown" in f.message
    assert [(x.path, x.line) for x in f.related] == [("etc/nginx/fastcgi.conf", 1)]


def test_absolute_root_is_clean(tmp_path):
    site = with_root("/var/www/html").replace("  # expect: GW381", "")
    assert lint(tree(site), tmp_path, select=["GW381"]).findings == []


def test_relative_root_is_flagged_at_the_root_line(tmp_path):
    site = with_root("www").replace("  # expect: GW381", "")
    (f,) = lint(tree(site), tmp_path, select=["GW381"]).findings
    assert f.line == 6 and "<prefix>/www" in f.message


def test_root_inside_the_pool_chroot(tmp_path):
    site = with_root("/var/www/site").replace("  # expect: GW381", "")
    (f,) = lint(tree(site, POOL + "chroot = /var/www\n"), tmp_path, select=["GW381"]).findings
    assert f.path == "etc/nginx/fastcgi.conf" and "/var/www/var/www/site" in f.message
    assert [x.line for x in f.related] == [6, 6]


def test_chroot_layout_held_by_the_tree_is_clean(tmp_path):
    site = with_root("/var/www/site").replace("  # expect: GW381", "")
    files = tree(site, POOL + "chroot = /var/www\n")
    files["var/www/var/www/site/index.php"] = "<?php\n"
    assert lint(files, tmp_path, select=["GW381"]).findings == []


def test_alias_is_skipped(tmp_path):
    site = SITE.replace("            include fastcgi.conf;", "            alias /srv/app;\n            include fastcgi.conf;") \
        .replace("  # expect: GW381", "")
    assert lint(tree(site), tmp_path, select=["GW381"]).findings == []


# the tree holds the application: its document root must be there ------------------------------
def clean_with_root(root):
    return with_root(root).replace("  # expect: GW381", "")


def test_root_missing_beside_the_application_the_tree_holds(tmp_path):
    files = tree(clean_with_root("/var/www/app/public"))
    files["var/www/app/index.php"] = "<?php\n"
    (f,) = lint(files, tmp_path, select=["GW381"]).findings
    assert (f.path, f.line) == ("etc/nginx/nginx.conf", 6)
    assert "root /var/www/app/public does not exist" in f.message and "/var/www/app/index.php" in f.message
    assert "Primary script unknown" in f.message


def test_root_missing_beside_another_site_in_var_www(tmp_path):
    files = tree(clean_with_root("/var/www/site"))
    files["var/www/html/index.php"] = "<?php\n"
    (f,) = lint(files, tmp_path, select=["GW381"]).findings
    assert "(/var/www, e.g. /var/www/html/index.php)" in f.message


def test_try_files_means_nginx_answers_the_404(tmp_path):
    site = clean_with_root("/var/www/app/public").replace("include fastcgi.conf;",
                                                           "try_files $uri =404;\n            include fastcgi.conf;")
    files = tree(site)
    files["var/www/app/index.php"] = "<?php\n"
    (f,) = lint(files, tmp_path, select=["GW381"]).findings
    assert "nginx's 404" in f.message


def test_config_only_tree_is_not_judged(tmp_path):
    assert lint(tree(clean_with_root("/var/www/app/public")), tmp_path, select=["GW381"]).findings == []


def test_tree_without_php_around_the_root_is_not_judged(tmp_path):
    files = tree(clean_with_root("/var/www/app/public"))
    files["var/www/html/index.nginx-debian.html"] = "<html>\n"
    assert lint(files, tmp_path, select=["GW381"]).findings == []


def test_a_top_level_ancestor_is_no_evidence(tmp_path):
    files = tree(clean_with_root("/srv/app"))
    files["srv/index.php"] = "<?php\n"
    files["var/lib/php/x.php"] = "<?php\n"
    assert lint(files, tmp_path, select=["GW381"]).findings == []


def test_existing_root_and_dangling_link_are_clean(tmp_path):
    files = tree(clean_with_root("/var/www/app/current"))
    files["var/www/app/releases/1/index.php"] = "<?php\n"
    files["var/www/app/current"] = ""  # replaced by a link below
    root = write_tree(files, tmp_path / "t")
    (root / "var/www/app/current").unlink()
    (root / "var/www/app/current").symlink_to("/var/www/app/releases/2")  # not in this snapshot
    assert lint_tree(root, select=["GW381"]).findings == []
    files["var/www/app/current/index.php"] = "<?php\n"
    del files["var/www/app/current"]
    assert lint(files, tmp_path / "u", select=["GW381"]).findings == []


def test_not_a_system_tree_is_not_judged(tmp_path):
    files = {"nginx/nginx.conf": clean_with_root("/var/www/app/public"), "var/www/app/index.php": "<?php\n",
             "nginx/fastcgi.conf": "fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;\n"}
    assert lint(files, tmp_path, select=["GW381"]).findings == []


# compose: nginx and the PHP service mount the application at different paths --------------------
COMPOSE_SITE = """server {
    listen 80;
    root ROOT;
    location ~ \\.php$ {
        try_files $uri =404;
        fastcgi_pass PASS;
        include fastcgi_params;
        fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
    }
}
"""

NGINX_SERVICE = """  nginx:
    image: nginx:1.27
    volumes:
      - ./nginx:/etc/nginx:ro
      - NGINX_APP
"""


def compose(php: str, nginx_app="./src:/var/www/html:ro", root="/var/www/html", pass_="php:9000", extra=None):
    files = {"docker-compose.yml": "services:\n" + NGINX_SERVICE.replace("NGINX_APP", nginx_app) + php,
             "nginx/nginx.conf": "events {}\nhttp {\n    include /etc/nginx/conf.d/*.conf;\n}\n",
             "nginx/fastcgi_params": "fastcgi_param QUERY_STRING $query_string;\n",
             "nginx/conf.d/default.conf": COMPOSE_SITE.replace("ROOT", root).replace("PASS", pass_),
             "src/index.php": "<?php\n"}
    files.update(extra or {})
    return files


PHP_AT = "  php:\n    image: php:8.2-fpm\n    volumes:\n      - {}\n"


def gw381(files, tmp_path):
    return lint(files, tmp_path, select=["GW381"]).findings


def test_php_service_mounts_the_app_elsewhere(tmp_path):
    (f,) = gw381(compose(PHP_AT.format("./src:/var/www")), tmp_path)
    assert (f.path, f.line, f.severity.value) == ("nginx/conf.d/default.conf", 3, "warning")
    assert "root /var/www/html is compose service nginx's mount of ./src" in f.message
    assert "service php has at /var/www" in f.message and "Primary script unknown" in f.message
    assert [(r.path, r.line) for r in f.related] == [("docker-compose.yml", 6), ("docker-compose.yml", 10)]


def test_same_path_in_both_services_is_clean(tmp_path):
    assert gw381(compose(PHP_AT.format("./src/:/var/www/html/")), tmp_path) == []


def test_root_below_the_mount(tmp_path):
    (f,) = gw381(compose(PHP_AT.format(".:/var/www"), nginx_app=".:/app", root="/app/public"), tmp_path)
    assert "service php has at /var/www/public" in f.message


def test_php_mounts_nothing_of_the_app(tmp_path):
    php = PHP_AT.format("./php.ini:/usr/local/etc/php/conf.d/app.ini")
    (f,) = gw381(compose(php), tmp_path)
    assert "which service php (php:8.2-fpm) does not mount:" in f.message
    assert f.related[-1].line == 7  # the php service


def test_php_mounting_nothing_at_all_is_not_judged(tmp_path):
    assert gw381(compose("  php:\n    image: php:8.2-fpm\n"), tmp_path) == []


def test_built_php_image_may_hold_the_app(tmp_path):
    built = PHP_AT.replace("image: php:8.2-fpm", "build: ./php")
    (f,) = gw381(compose(built.format("./src:/var/www")), tmp_path)
    assert f.severity.value == "info" and "unless its image holds the application at /var/www/html" in f.message
    assert gw381(compose(built.format("./php.ini:/usr/local/etc/php/php.ini")), tmp_path / "b") == []


def test_interpolated_volumes_are_unknown(tmp_path):
    assert gw381(compose(PHP_AT.format("${APP_DIR:-./src}:/var/www")), tmp_path) == []
    assert gw381(compose(PHP_AT.format("./src:/var/www"), nginx_app="${APP}:/var/www/html"), tmp_path / "b") == []


def test_named_volume_shared_at_different_paths(tmp_path):
    files = compose(PHP_AT.format("code:/var/www"), nginx_app="code:/var/www/html")
    files["docker-compose.yml"] += "volumes:\n  code:\n"
    (f,) = gw381(files, tmp_path)
    assert "mount of code" in f.message


def test_long_syntax_and_bound_named_volume(tmp_path):
    long = "  php:\n    image: php:8.2-fpm\n    volumes:\n      - type: bind\n        source: ./src\n        target: {}\n"
    assert len(gw381(compose(long.format("/var/www")), tmp_path)) == 1
    assert gw381(compose(long.format("/var/www/html")), tmp_path / "b") == []
    files = compose(PHP_AT.format("code:/var/www/html"))
    files["docker-compose.yml"] += "volumes:\n  code:\n    driver_opts: {type: none, o: bind, device: ./src}\n"
    assert gw381(files, tmp_path / "c") == []


def test_volumes_from(tmp_path):
    php = PHP_AT.format("./src:/var/www/html")
    nginx_from = compose(php, nginx_app="./logs:/var/log/nginx")
    nginx_from["docker-compose.yml"] = nginx_from["docker-compose.yml"].replace(
        "    volumes:\n", "    volumes_from:\n      - php:ro\n    volumes:\n", 1)
    assert gw381(nginx_from, tmp_path) == []
    other = compose("  php:\n    image: php:8.2-fpm\n    volumes_from:\n      - container:app\n")
    assert gw381(other, tmp_path / "b") == []


def test_override_file_is_merged_and_variants_make_it_unknown(tmp_path):
    files = compose(PHP_AT.format("./src:/var/www"),
                    extra={"docker-compose.override.yml": "services:\n  php:\n    volumes:\n      - ./src:/var/www/html\n"})
    assert gw381(files, tmp_path) == []  # the override mounts it where nginx looks too
    files = compose(PHP_AT.format("./src:/var/www"),
                    extra={"docker-compose.prod.yml": "services:\n  php:\n    volumes:\n      - ./src:/srv\n"})
    assert gw381(files, tmp_path / "b") == []


def test_php_mounting_part_of_the_app_or_another_source_is_not_judged(tmp_path):
    part = PHP_AT.format("./src/public:/var/www/html/public")
    assert gw381(compose(part), tmp_path) == []
    other = PHP_AT.format("./php-src:/var/www")
    assert gw381(compose(other), tmp_path / "b") == []


def test_unix_socket_on_a_shared_volume(tmp_path):
    php = "  php:\n    image: php:8.2-fpm\n    volumes:\n      - sock:/run/php\n      - ./src:/app\n"
    files = compose(php, pass_="unix:/run/php/php-fpm.sock")
    files["docker-compose.yml"] = files["docker-compose.yml"].replace(
        "      - ./src:/var/www/html:ro\n", "      - ./src:/var/www/html:ro\n      - sock:/run/php\n")
    (f,) = gw381(files, tmp_path)
    assert "service php has at /app" in f.message


def test_fastcgi_pass_by_alias_and_unknown_host(tmp_path):
    php = PHP_AT.format("./src:/var/www").replace("    volumes:", "    networks:\n      default:\n        aliases: [fpm]\n"
                                                  "    volumes:")
    assert len(gw381(compose(php, pass_="fpm:9000"), tmp_path)) == 1
    assert gw381(compose(PHP_AT.format("./src:/var/www"), pass_="10.0.0.9:9000"), tmp_path / "b") == []


def test_nginx_service_found_by_its_config_mount(tmp_path):
    files = compose(PHP_AT.format("./src:/var/www"))
    files["docker-compose.yml"] = files["docker-compose.yml"].replace("image: nginx:1.27", "build: ./web", 1)
    assert len(gw381(files, tmp_path)) == 1


def test_compose_fixture(tmp_path):
    from pathlib import Path

    r = lint_tree(Path(__file__).parent.parent / "fixtures" / "compose-mount-mismatch", select=["GW381"])
    r.assert_expected()


def test_yaml_merge_keys_and_links(tmp_path):
    files = compose("  php:\n    <<: *php\n", pass_="fpm:9000")
    files["docker-compose.yml"] = ("x-php: &php\n  image: php:8.2-fpm\n  volumes:\n    - ./src:/var/www\n"
                                   + files["docker-compose.yml"].replace("    image: nginx:1.27\n",
                                                                         "    image: nginx:1.27\n    links:\n      - php:fpm\n"))
    (f,) = gw381(files, tmp_path)
    assert "service php has at /var/www" in f.message


def test_odd_compose_shapes_are_skipped_without_error(tmp_path):
    for n, php in enumerate(["  php:\n    image: php:8.2-fpm\n    volumes: oops\n",
                             "  php:\n    image: php:8.2-fpm\n    volumes:\n      - 42\n      - {type: bind}\n      - [a]\n",
                             "  php: [not, a, mapping]\n", "  php:\n    image: php:8.2-fpm\n    volumes:\n      - 'C:\\\\app:/var/www'\n"]):
        assert gw381(compose(php), tmp_path / str(n)) == []
    files = compose(PHP_AT.format("./src:/var/www"))
    files["docker-compose.yml"] += "---\nservices: {}\n"  # two documents: not a compose file compose reads
    assert gw381(files, tmp_path / "multi") == []


def test_root_outside_the_chroot_judged_by_what_the_chroot_holds(tmp_path):
    site = clean_with_root("/var/www/html")
    files = tree(site, POOL + "chroot = /srv/php\n")
    files["var/www/html/index.php"] = "<?php\n"
    assert lint(files, tmp_path / "a", select=["GW381"]).findings == []  # the chroot is not in the tree
    files["srv/php/var/www/index.php"] = "<?php\n"
    (f,) = lint(files, tmp_path / "b", select=["GW381"]).findings
    assert "opens /srv/php/var/www/html/... for root /var/www/html, which the tree does not hold (it holds " \
           "/srv/php/var/www/index.php)" in f.message
    files["srv/php/var/www/html/index.php"] = "<?php\n"
    assert lint(files, tmp_path / "c", select=["GW381"]).findings == []
