from gwlint.testing import lint

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
