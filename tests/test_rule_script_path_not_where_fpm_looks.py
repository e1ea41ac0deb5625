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
    return {"etc/nginx/nginx.conf": site,
            "etc/nginx/fastcgi.conf": "fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;\n",
            "etc/php/8.2/fpm/php-fpm.conf": "[global]\ninclude=/etc/php/8.2/fpm/pool.d/*.conf\n",
            "etc/php/8.2/fpm/pool.d/www.conf": pool}


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
