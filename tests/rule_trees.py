"""Inline config trees shared by the rule tests."""

FPM_CONF = "[global]\ninclude=/etc/php/8.2/fpm/pool.d/*.conf\n"
POOL = """[www]
user = www-data
listen = /run/php/php8.2-fpm.sock
listen.owner = www-data
listen.group = www-data
pm = static
pm.max_children = 5
"""


def nginx(location="", server="", http=""):
    return ("user www-data;\nevents {}\nhttp {\n" + http + "    server {\n        listen 80;\n" + server +
            "        location ~ \\.php$ {\n" + location +
            "            fastcgi_pass unix:/run/php/php8.2-fpm.sock;\n        }\n    }\n}\n")


def tree(nginx_conf=None, pool_extra="", php_ini=None, **extra):
    files = {"etc/nginx/nginx.conf": nginx_conf if nginx_conf is not None else nginx(),
             "etc/php/8.2/fpm/php-fpm.conf": FPM_CONF,
             "etc/php/8.2/fpm/pool.d/www.conf": POOL + pool_extra}
    if php_ini is not None:
        files["etc/php/8.2/fpm/php.ini"] = php_ini
    files.update(extra)
    return files


FASTCGI_CONF = "fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;\n"  # Debian's, in short


def site_tree(site: str, pool: str = POOL) -> dict[str, str]:
    """nginx.conf `site` beside a fastcgi.conf that sets SCRIPT_FILENAME, and one php8.2 pool."""
    return {"etc/nginx/nginx.conf": site, "etc/nginx/fastcgi.conf": FASTCGI_CONF,
            "etc/php/8.2/fpm/php-fpm.conf": FPM_CONF, "etc/php/8.2/fpm/pool.d/www.conf": pool}
