from gwlint.testing import lint

POOL = """[www]
user = www-data
listen = 127.0.0.1:9000
pm = static
pm.max_children = 5
security.limit_extensions =
"""

SITE = """user www-data;
events {}
http {
    server {
        listen 80;
        root /var/www/html;
        location ~ [^/]\\.php(/|$) {
            fastcgi_split_path_info ^(.+?\\.php)(/.*)$;  # expect: GW383
            fastcgi_param PATH_INFO $fastcgi_path_info;
            fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
            fastcgi_pass 127.0.0.1:9000;
        }
    }
}
"""


def tree(site=SITE, pool=POOL, version="8.2", ini=""):
    return {"etc/nginx/nginx.conf": site,
            f"etc/php/{version}/fpm/php-fpm.conf": f"[global]\ninclude=/etc/php/{version}/fpm/pool.d/*.conf\n",
            f"etc/php/{version}/fpm/php.ini": ini,
            f"etc/php/{version}/fpm/pool.d/www.conf": pool}


def test_empty_limit_extensions_without_script_check(tmp_path):
    r = lint(tree(), tmp_path, select=["GW383"])
    r.assert_expected()
    (f,) = r.findings
    assert "avatar.jpg" in f.message
    assert [(x.path, x.line) for x in f.related] == [("etc/php/8.2/fpm/pool.d/www.conf", 6), ("etc/nginx/nginx.conf", 9)]


def test_try_files_check_is_clean(tmp_path):
    site = SITE.replace("            fastcgi_param PATH_INFO",
                        "            try_files $fastcgi_script_name =404;\n            fastcgi_param PATH_INFO")
    assert lint(tree(site), tmp_path, select=["GW383"]).findings == []


def test_default_limit_extensions_on_current_php_is_clean(tmp_path):
    pool = POOL.replace("security.limit_extensions =\n", "")
    assert lint(tree(pool=pool), tmp_path, select=["GW383"]).findings == []


def test_fix_pathinfo_off_is_clean(tmp_path):
    assert lint(tree(ini="cgi.fix_pathinfo = 0\n"), tmp_path, select=["GW383"]).findings == []


def test_php_affected_by_cve_2019_11043(tmp_path):
    pool = POOL.replace("security.limit_extensions =\n", "")
    (f,) = lint(tree(pool=pool, version="7.3"), tmp_path, select=["GW383"]).findings
    assert "CVE-2019-11043" in f.message and "before 7.3.11" in f.message


def test_limit_extensions_widened_to_images(tmp_path):
    pool = POOL.replace("security.limit_extensions =", "security.limit_extensions = .php .jpg")
    (f,) = lint(tree(pool=pool), tmp_path, select=["GW383"]).findings
    assert "listing .jpg" in f.message
