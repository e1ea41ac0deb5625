"""Seeded generator of realistic nginx + PHP-FPM trees for the benchmark.

`python bench/gen.py N OUT [--seed S]` writes a tree laid out like `/`:

- etc/nginx/nginx.conf (timeouts in http{}), conf.d/ (maps, upstreams in files of 50),
  snippets/ (fastcgi-php, security headers, ssl, cache), fastcgi.conf, mime.types;
- sites-enabled/<site>.conf per site: a :80 redirect server and a :443 server with locations,
  timeouts at server and location level; every 4th site splits its locations into
  sites-enabled/<site>.d/*.conf; half of the PHP routes go through an upstream;
- etc/php/8.2/fpm/: php-fpm.conf, php.ini, conf.d/*.ini and one pool per site in pool.d/.

Every include is relative (nginx resolves it against the config dir), so crossplane parses the
same tree without touching the host's /etc. Limits chain as a careful admin sets them, and faults
are sprinkled so rules fire: about 1 site in 97 points at a socket no pool listens on (GW301), 1 in
101 gives up before PHP does (GW340).
"""

import argparse
import random
from pathlib import Path

MIME = "types {\n" + "".join(f"    {t} {e};\n" for t, e in (
    ("text/html", "html htm shtml"), ("text/css", "css"), ("application/javascript", "js"),
    ("image/png", "png"), ("image/jpeg", "jpeg jpg"), ("application/json", "json"),
    ("image/svg+xml", "svg svgz"), ("font/woff2", "woff2"))) + "}\n"

FASTCGI_CONF = "".join(f"fastcgi_param {k:<18} {v};\n" for k, v in (
    ("SCRIPT_FILENAME", "$document_root$fastcgi_script_name"), ("QUERY_STRING", "$query_string"),
    ("REQUEST_METHOD", "$request_method"), ("CONTENT_TYPE", "$content_type"),
    ("CONTENT_LENGTH", "$content_length"), ("SCRIPT_NAME", "$fastcgi_script_name"),
    ("REQUEST_URI", "$request_uri"), ("DOCUMENT_URI", "$document_uri"),
    ("DOCUMENT_ROOT", "$document_root"), ("SERVER_PROTOCOL", "$server_protocol"),
    ("REQUEST_SCHEME", "$scheme"), ("HTTPS", "$https if_not_empty"),
    ("REMOTE_ADDR", "$remote_addr"), ("REMOTE_PORT", "$remote_port"),
    ("SERVER_ADDR", "$server_addr"), ("SERVER_PORT", "$server_port"),
    ("SERVER_NAME", "$server_name"), ("REDIRECT_STATUS", "200")))

SNIPPETS = {
    "fastcgi-php.conf": (
        "# regex to split $uri to $fastcgi_script_name and $fastcgi_path\n"
        "fastcgi_split_path_info ^(.+?\\.php)(/.*)$;\n"
        "try_files $fastcgi_script_name =404;\n"
        "set $path_info $fastcgi_path_info;\n"
        "fastcgi_param PATH_INFO $path_info;\n"
        "fastcgi_index index.php;\n"
        "include fastcgi.conf;\n"),
    "security.conf": (
        'add_header X-Frame-Options "SAMEORIGIN" always;\n'
        'add_header X-Content-Type-Options "nosniff" always;\n'
        'add_header Referrer-Policy "strict-origin-when-cross-origin" always;\n'
        "location ~ /\\.(?!well-known) {\n    deny all;\n}\n"),
    "ssl.conf": (
        "ssl_protocols TLSv1.2 TLSv1.3;\n"
        "ssl_session_timeout 1d;\n"
        "ssl_session_cache shared:SSL:10m;\n"
        "ssl_prefer_server_ciphers off;\n"),
    "static-cache.conf": (
        "location ~* \\.(?:css|js|png|jpe?g|gif|svg|woff2?)$ {\n"
        "    expires 30d;\n    access_log off;\n    try_files $uri =404;\n}\n"),
}

NGINX_CONF = """user www-data;
worker_processes auto;
pid /run/nginx.pid;

events {
    worker_connections 1024;
}

http {
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 65;
    types_hash_max_size 2048;
    server_names_hash_bucket_size 128;
    client_max_body_size 16m;
    include mime.types;
    default_type application/octet-stream;

    fastcgi_connect_timeout 5s;
    fastcgi_send_timeout 60s;
    fastcgi_read_timeout 60s;
    fastcgi_buffers 16 16k;
    fastcgi_buffer_size 32k;

    access_log /var/log/nginx/access.log;
    error_log /var/log/nginx/error.log;
    gzip on;
    gzip_types text/css application/javascript application/json image/svg+xml;

    include conf.d/*.conf;
    include sites-enabled/*.conf;
}
"""

PHP_INI = """[PHP]
engine = On
short_open_tag = Off
precision = 14
output_buffering = 4096
max_execution_time = 30
max_input_time = 60
memory_limit = 128M
error_reporting = E_ALL & ~E_DEPRECATED & ~E_STRICT
display_errors = Off
log_errors = On
post_max_size = 16M
upload_max_filesize = 16M
max_file_uploads = 20
default_socket_timeout = 60

[Date]
date.timezone = UTC

[Session]
session.save_handler = files
session.gc_maxlifetime = 1440
"""

CONF_D = {
    "10-opcache.ini": "; configuration for php opcache module\nzend_extension=opcache.so\n"
                      "opcache.enable = 1\nopcache.memory_consumption = 256\n",
    "20-mysqli.ini": "extension=mysqli.so\n",
    "30-timeouts.ini": "max_execution_time = 60\n",
}

FPM_CONF = """;;;;;;;;;;;;;;;;;;;;;
; FPM Configuration ;
;;;;;;;;;;;;;;;;;;;;;
[global]
pid = /run/php/php8.2-fpm.pid
error_log = /var/log/php8.2-fpm.log
emergency_restart_threshold = 10
emergency_restart_interval = 1m
process_control_timeout = 10s

include=/etc/php/8.2/fpm/pool.d/*.conf
"""

UPSTREAMS_PER_FILE = 50


def _site_name(i: int) -> str:
    return f"site{i:05d}"


def _socket(i: int) -> str:
    return f"/run/php/php8.2-fpm-{_site_name(i)}.sock"


def _locations(rng: random.Random, i: int, backend: str, limit: int) -> str:
    read = limit + 30 if i % 101 != 11 else 20  # fault: nginx gives up before PHP (GW340)
    keep_conn = "        fastcgi_keep_conn on;\n" if not backend.startswith("unix:") else ""
    extra = ""
    if rng.random() < 0.5:
        extra += ("    location /api/ {\n"
                  "        try_files $uri /index.php?$query_string;\n"
                  f"        fastcgi_read_timeout {rng.choice((60, 120, 180))}s;\n"
                  "    }\n\n")
    if rng.random() < 0.3:
        extra += ("    location = /healthz {\n"
                  "        access_log off;\n"
                  "        return 200 \"ok\\n\";\n"
                  "    }\n\n")
    if rng.random() < 0.2:
        extra += ("    location /legacy/ {\n"
                  f"        proxy_pass http://127.0.0.1:{8000 + i % 1000};\n"
                  "        proxy_read_timeout 90s;\n"
                  "        proxy_set_header Host $host;\n"
                  "    }\n\n")
    return ("    location / {\n"
            "        try_files $uri $uri/ /index.php?$args;\n"
            "    }\n\n"
            f"{extra}"
            "    # pass PHP scripts to FastCGI server\n"
            "    location ~ \\.php$ {\n"
            "        include snippets/fastcgi-php.conf;\n"
            f"        fastcgi_pass {backend};\n"
            f"{keep_conn}"
            f"        fastcgi_read_timeout {read}s;\n"
            f"        fastcgi_param PHP_VALUE \"max_execution_time={limit}\";\n"
            "    }\n\n"
            "    include snippets/static-cache.conf;\n")


def _site(rng: random.Random, i: int, backend: str, split: bool, limit: int, upload: int) -> dict[str, str]:
    name = _site_name(i)
    domain = f"{name}.example.com"
    locations = _locations(rng, i, backend, limit)
    files = {}
    if split:
        files[f"sites-enabled/{name}.d/php.conf"] = "\n".join(
            line[4:] if line.startswith("    ") else line for line in locations.splitlines()) + "\n"
        body = f"    include sites-enabled/{name}.d/*.conf;\n"
    else:
        body = locations
    files[f"sites-enabled/{name}.conf"] = (
        f"# {domain}: generated by bench/gen.py\n"
        "server {\n"
        "    listen 80;\n"
        "    listen [::]:80;\n"
        f"    server_name {domain} www.{domain};\n"
        "    return 301 https://$host$request_uri;\n"
        "}\n\n"
        "server {\n"
        "    listen 443 ssl http2;\n"
        "    listen [::]:443 ssl http2;\n"
        f"    server_name {domain} www.{domain};\n"
        f"    root /var/www/{name}/public;\n"
        "    index index.php index.html;\n\n"
        f"    ssl_certificate /etc/ssl/certs/{name}.pem;\n"
        f"    ssl_certificate_key /etc/ssl/private/{name}.key;\n"
        "    include snippets/ssl.conf;\n"
        "    include snippets/security.conf;\n\n"
        f"    access_log /var/log/nginx/{name}.access.log;\n"
        f"    error_log /var/log/nginx/{name}.error.log warn;\n"
        f"    client_max_body_size {upload * rng.choice((1, 2))}m;\n"
        f"    fastcgi_read_timeout {rng.choice((60, 120))}s;\n\n"
        f"{body}"
        "}\n")
    return files


def _pool(rng: random.Random, i: int, limit: int, upload: int) -> str:
    name = _site_name(i)
    children = rng.choice((5, 10, 20, 40))
    lines = [
        f"; pool for {name}.example.com",
        f"[{name}]",
        f"user = {name}",
        f"group = {name}",
        f"listen = {_socket(i)}",
        "listen.owner = www-data",
        "listen.group = www-data",
        "listen.mode = 0660",
        "pm = dynamic",
        f"pm.max_children = {children}",
        f"pm.start_servers = {max(1, children // 4)}",
        f"pm.min_spare_servers = {max(1, children // 5)}",
        f"pm.max_spare_servers = {max(2, children // 2)}",
        "pm.max_requests = 500",
        f"request_terminate_timeout = {limit + 10}s",
        "request_slowlog_timeout = 10s",
        f"slowlog = /var/log/php-fpm/{name}-slow.log",
        f"php_admin_value[error_log] = /var/log/php-fpm/{name}-error.log",
        "php_admin_flag[log_errors] = on",
        f"php_admin_value[memory_limit] = {rng.choice((128, 256, 512))}M",
        f"php_value[max_execution_time] = {limit}",
        f"php_value[upload_max_filesize] = {upload}M",
        f"php_value[post_max_size] = {upload}M",
        f"php_value[session.save_path] = /var/lib/php/sessions/{name}",
    ]
    return "\n".join(lines) + "\n"


def generate(n: int, seed: int = 1) -> dict[str, str]:
    """The tree for `n` sites as {root-relative path: text}; the same seed gives the same tree."""
    rng = random.Random(seed)
    files = {
        "etc/nginx/nginx.conf": NGINX_CONF,
        "etc/nginx/mime.types": MIME,
        "etc/nginx/fastcgi.conf": FASTCGI_CONF,
        "etc/nginx/conf.d/maps.conf": (
            "map $http_upgrade $connection_upgrade {\n    default upgrade;\n    '' close;\n}\n\n"
            "map $sent_http_content_type $expires {\n    default off;\n    text/html epoch;\n"
            "    ~image/ max;\n}\n"),
        "etc/php/8.2/fpm/php-fpm.conf": FPM_CONF,
        "etc/php/8.2/fpm/php.ini": PHP_INI,
    }
    files.update({f"etc/nginx/snippets/{k}": v for k, v in SNIPPETS.items()})
    files.update({f"etc/php/8.2/fpm/conf.d/{k}": v for k, v in CONF_D.items()})
    upstreams: dict[int, list[str]] = {}
    for i in range(n):
        socket = _socket(i)
        if i % 97 == 7:  # fault: the site points at a socket no pool listens on
            socket = f"/run/php/php8.1-fpm-{_site_name(i)}.sock"
        if i % 2:
            upstream = f"php_{_site_name(i)}"
            upstreams.setdefault(i // UPSTREAMS_PER_FILE, []).append(
                f"upstream {upstream} {{\n    server unix:{socket};\n    keepalive 8;\n}}\n")
            backend = upstream
        else:
            backend = f"unix:{socket}"
        # per site, limits that chain (max_execution_time <= request_terminate_timeout <=
        # fastcgi_read_timeout, PHP's upload size <= client_max_body_size), as a careful admin sets them
        limit, upload = rng.choice((30, 60, 120, 300)), rng.choice((8, 16, 32))
        for rel, text in _site(rng, i, backend, i % 4 == 3, limit, upload).items():
            files[f"etc/nginx/{rel}"] = text
        files[f"etc/php/8.2/fpm/pool.d/{_site_name(i)}.conf"] = _pool(rng, i, limit, upload)
    for group, blocks in upstreams.items():
        files[f"etc/nginx/conf.d/upstreams-{group:03d}.conf"] = "\n".join(blocks)
    return files


def write_tree(n: int, out: Path, seed: int = 1) -> int:
    """Write the tree under `out` (which must not exist); returns the number of bytes written."""
    out.mkdir(parents=True)
    total = 0
    made: set[Path] = set()
    for rel, text in generate(n, seed).items():
        path = out / rel
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        path.write_text(text)
        total += len(text)
    return total


MAP_ENTRIES = 1_200_000


def write_map_tree(out: Path, entries: int = MAP_ENTRIES, seed: int = 1) -> int:
    """The 10-site tree plus a `map` whose entries come from one include (~26 MB for 1.2M entries,
    a legacy-redirect table as sites keep them); returns the number of bytes written."""
    total = write_tree(10, out, seed)
    conf = ("map $host $legacy_site {\n    hostnames;\n    default \"\";\n"
            "    include maps/legacy-hosts.map;\n}\n")
    (out / "etc/nginx/conf.d/legacy-map.conf").write_text(conf)
    (out / "etc/nginx/maps").mkdir()
    with open(out / "etc/nginx/maps/legacy-hosts.map", "w") as fh:
        for start in range(0, entries, 10_000):
            chunk = "".join(f"h{i:07d}.example {i % 977};\n" for i in range(start, min(start + 10_000, entries)))
            fh.write(chunk)
            total += len(chunk)
    return total + len(conf)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sites", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    size = write_tree(args.sites, args.out, args.seed)
    print(f"{args.out}: {args.sites} sites, {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
