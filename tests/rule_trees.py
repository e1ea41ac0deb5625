"""Inline config trees shared by the timeout and limit rule tests."""

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
