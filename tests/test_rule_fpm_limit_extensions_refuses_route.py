from rule_trees import POOL, site_tree

from gwlint.testing import lint

SITE = """user www-data;
events {}
http {
    server {
        listen 80;
        root /var/www/html;
        location ~ \\.(php|phtml)$ {  # expect: GW382
            include fastcgi.conf;
            fastcgi_pass unix:/run/php/php8.2-fpm.sock;
        }
    }
}
"""


def tree(site=SITE, pool=POOL):
    return site_tree(site, pool)


def test_phtml_refused_by_default_extensions(tmp_path):
    r = lint(tree(), tmp_path, select=["GW382"])
    r.assert_expected()
    (f,) = r.findings
    assert ".phtml" in f.message and ".php," not in f.message and "403" in f.message
    assert [(x.path, x.line) for x in f.related] == [("etc/php/8.2/fpm/pool.d/www.conf", 1)]
    assert f.fix is not None and not f.fix.safe
    assert r.fixed_text("etc/php/8.2/fpm/pool.d/www.conf", unsafe=True).splitlines()[-1] == \
        "security.limit_extensions = .php .phar .phtml"
    assert r.relint(unsafe=True).findings == []


def test_listed_extension_is_clean(tmp_path):
    pool = POOL + "security.limit_extensions = .php .phtml\n"
    assert lint(tree(pool=pool), tmp_path, select=["GW382"]).findings == []


def test_explicit_list_refusing_php_is_flagged_at_the_location(tmp_path):
    site = SITE.replace("\\\\.(php|phtml)$", "\\\\.php$")
    pool = POOL + "security.limit_extensions = .php5\n"
    (f,) = lint(tree(site, pool), tmp_path, select=["GW382"]).findings
    assert (f.line, f.related[0].line) == (7, 8) and "security.limit_extensions = .php5" in f.message


def test_empty_list_allows_everything(tmp_path):
    pool = POOL + "security.limit_extensions =\n"
    assert lint(tree(pool=pool), tmp_path, select=["GW382"]).findings == []


def test_fixed_script_name_is_not_checked(tmp_path):
    """A front controller: SCRIPT_FILENAME is index.php whatever the URI says."""
    site = SITE.replace("include fastcgi.conf;", "fastcgi_param SCRIPT_FILENAME $document_root/index.php;") \
        .replace("  # expect: GW382", "")
    assert lint(tree(site), tmp_path, select=["GW382"]).findings == []
