"""What each rule predicts, as observed on real nginx + php-fpm: one table, keyed by rule code.

A rule whose docstring claims a status (502, 504, 500, ...) must have its cases here, or a reason
in NOT_REPRODUCED (the meta-test enforces it). A case names every rule that flags its fixture
(`also`). Scenarios whose rule has not merged yet wait under a `pending:` key; when the rule
lands, move them under its code and drop their `manual_fix` if the rule fixes them.
"""

from dataclasses import dataclass

# nginx's error.log line, keyed on the errno NUMBER (musl builds word errno texts differently)
CONNECT = r"connect\(\) (?:to unix:{target} )?failed \({errno}: [^)]*\) while connecting to upstream"
TIMED_OUT = r"upstream timed out \(110: [^)]*\) while reading response header from upstream"
RESET = (r"recv\(\) failed \(104: [^)]*\) while reading response header from upstream"
         r"|upstream prematurely closed FastCGI stdout")
POOL_SOCKET = "/run/php/php8.2-fpm.sock"
POOL = "etc/php/8.2/fpm/pool.d/www.conf"
SITE = "etc/nginx/sites-available/default"
OCTANE = "etc/nginx/conf.d/octane.conf"


@dataclass(frozen=True)
class Case:
    """A broken fixture served for real: the status, errno and error.log line, then the fixed status.

    `status` None means a server refuses to start; `log` is then searched in its output and log.
    The fix is `gwlint check --fix` unless `manual_fix` gives (file, old text, new text) edits.
    """

    fixture: str
    status: int | None
    errno: int | None  # in error.log's line; None where nginx logs no errno (413)
    log: str  # regex searched in nginx's error.log (paths as in the tree, not the temp copy)
    path: str = "/index.php"
    fixed_status: int = 200
    fpm_log: str | None = None  # regex searched in php-fpm's log
    manual_fix: tuple[tuple[str, str, str], ...] = ()
    body: int = 0  # POST that many bytes instead of a GET
    unsafe_fix: bool = False  # gwlint's fix is marked unsafe: --unsafe-fixes
    before: tuple[str, ...] = ()  # requested first, whatever they get (e.g. to pin a worker)
    also: tuple[str, ...] = ()  # other rules that flag the same fixture (their fix may clear it too)
    # gwlint's fix is unsafe here because it would break the tree: applied anyway (--unsafe-fixes), php-fpm,
    # started after the other servers with its `listen` on every address as the real host binds it, refuses
    # to start with this line
    unsafe_fix_refused: str | None = None
    # the broken tree's php-fpm starts after nginx and the stand-ins, its pools on every address bound on every
    # address as the real host binds them (the copy otherwise puts them on the one address nginx aims at)
    fpm_last_on_every_address: bool = False

    @property
    def id(self) -> str:
        return self.fixture


REALSERVER_CASES: dict[str, list[Case]] = {
    "GW101": [
        Case("upstream-name-typo", None, None, r'no port in upstream "php_fpm"',
             manual_fix=((SITE, "fastcgi_pass php_fpm;", "fastcgi_pass php-fpm;"),)),
        # the same typo through a variable: a 500 per request; the fixed value names the upstream: 200
        Case("upstream-variable-no-port", 500, None, r'no port in upstream "php_fpm"',
             manual_fix=((SITE, "set $php_backend php_fpm;", "set $php_backend php-fpm;"),)),
    ],
    "GW102": [
        Case("fastcgi-pass-no-resolver", 502, None, r"no resolver defined to resolve php-fpm\.internal",
             manual_fix=((SITE, "fastcgi_pass $php_backend;", "fastcgi_pass unix:/run/php/php8.2-fpm.sock;"),)),
        # twin of octane-upstream-variable-clean (proxy_pass http://octane$suffix; with upstream octane: 200)
        Case("octane-no-upstream", 502, None, r"no resolver defined to resolve octane", path="/index.php?a=1",
             manual_fix=((OCTANE, "map $http_upgrade", "upstream octane { server 127.0.0.1:8000; }\nmap $http_upgrade"),)),
    ],
    "GW105": [
        Case("upstream-all-down", 502, None, r"no live upstreams while connecting to upstream",
             manual_fix=((SITE, "php8.2-fpm.sock down;", "php8.2-fpm.sock;"),)),
    ],
    "GW201": [
        Case("realserver-socket-no-owner", 502, 13, CONNECT.format(target=POOL_SOCKET, errno=13)),
    ],
    "GW202": [
        Case("realserver-socket-mode-invalid", 502, 13, CONNECT.format(target=POOL_SOCKET, errno=13), also=("GW320",)),
    ],
    "GW204": [
        Case("realserver-fpm-root-user", None, None, r"please specify user and group other than root",
             manual_fix=((POOL, "user = root\ngroup = root", "user = www-data\ngroup = www-data"),)),
    ],
    "GW220": [
        Case("realserver-terminate-timeout", 502, 104, RESET, path="/slow.php?s=3",
             fpm_log=r"execution timed out \([0-9.]+ sec\), terminating"),
        # an override file reopening [www] writes 1m30s, which php-fpm reads as 1 s; fixed to 90s (and GW340
        # then raises nginx's read timeout above it)
        Case("realserver-terminate-timeout-units", 502, 104, RESET, path="/slow.php?s=3",
             fpm_log=r"execution timed out \([0-9.]+ sec\), terminating", also=("GW225",)),
    ],
    "GW221": [
        Case("realserver-php-unbounded", 504, 110, TIMED_OUT, before=("/slow.php?s=30",),
             manual_fix=((POOL, ";request_terminate_timeout = 0", "request_terminate_timeout = 1s"),)),
    ],
    "GW223": [
        Case("realserver-fpm-spare-servers", None, None,
             r"\[pool www\] pm.min_spare_servers\(1\) and pm.max_spare_servers\(8\) cannot be greater than "
             r"pm.max_children\(5\)"),
        # an override lowers pm.max_children below www.conf's spare counts: the fix lowers them to fit
        Case("realserver-fpm-override-children", None, None,
             r"\[pool www\] pm.min_spare_servers\(1\) and pm.max_spare_servers\(3\) cannot be greater than "
             r"pm.max_children\(2\)"),
        Case("realserver-fpm-ondemand-idle", None, None,
             r"\[pool www\] pm.process_idle_timeout\(0s\) must be greater than 0s"),
    ],
    "GW302": [
        Case("proxy-pass-to-fpm", 502, None, RESET + r"|upstream prematurely closed connection while reading",
             manual_fix=(("etc/nginx/sites-enabled/app",
                          "proxy_set_header Host $host;\n        proxy_set_header X-Forwarded-For "
                          "$proxy_add_x_forwarded_for;\n        proxy_pass http://127.0.0.1:9000;",
                          "include snippets/fastcgi-php.conf;\n        fastcgi_pass 127.0.0.1:9000;"),)),
    ],
    "GW303": [
        # nginx connects to the host's LAN address (127.0.0.N in the copy, distinct from 127.0.0.1, so the
        # loopback-only pool still refuses it); the fix's `listen = 9000` is bound where nginx aims (relocate)
        Case("fpm-loopback-pool-lan", 502, 111, CONNECT.format(target="", errno=111)),
        # www.conf says `listen = 9000`, a hardening override reopening [www] binds 127.0.0.1: one pool, one
        # site, a safe fix at the override's line. (docker-loopback-pool has no case: the copy turns its
        # service name `php` into 127.0.0.1, where the loopback-only pool answers 200.)
        Case("fpm-loopback-override-lan", 502, 111, CONNECT.format(target="", errno=111)),
        # as fpm-loopback-pool-lan, but an admin vhost listens on the VPN address of port 9000: `listen = 9000`
        # cannot bind beside it, so the fix is unsafe (and proven to break the start); binding 10.0.0.5 works
        Case("fpm-loopback-pool-port-taken", 502, 111, CONNECT.format(target="", errno=111),
             manual_fix=((POOL, "listen = 127.0.0.1:9000", "listen = 10.0.0.5:9000"),),
             unsafe_fix_refused=r"unable to bind listening socket for address '\d+': Address already in use \(98\)"),
    ],
    "GW304": [
        Case("fpm-allowed-clients", 502, None, RESET + r"|upstream prematurely closed connection while reading"),
    ],
    "GW305": [
        Case("fpm-duplicate-listen", None, None,
             r"unable to (?:bind listening socket|set listen address as it's already used)",
             manual_fix=(("etc/php/8.2/fpm/pool.d/app.conf", "listen = 9000", "listen = 9001"),)),
    ],
    "GW306": [
        # pool `listen = 9000` beside nginx's status vhost on 127.0.0.1:9000: php-fpm, started second, cannot
        # bind (the bare port first tries [::], then 0.0.0.0); moved to 9001, both start
        Case("fpm-pool-port-taken", None, None,
             r"Failed implicitly binding to ::, retrying with 0\.0\.0\.0(?s:.*)unable to bind listening socket for "
             r"address '\d+': Address already in use \(98\)",
             fpm_last_on_every_address=True,
             manual_fix=((POOL, "listen = 9000", "listen = 127.0.0.1:9001"),
                         (SITE, "fastcgi_pass 127.0.0.1:9000;", "fastcgi_pass 127.0.0.1:9001;"))),
    ],
    "GW301": [
        Case("debian-socket-mismatch", 502, 2,
             CONNECT.format(target=r"/run/php/php8\.1-fpm\.sock", errno=2)),
        Case("realserver-tcp-mismatch", 502, 111, CONNECT.format(target="", errno=111)),
        # twins of debian-var-run-clean and debian-fpm-sock-alias-clean (200 through the alias)
        Case("debian-var-run-mismatch", 502, 2, CONNECT.format(target=r"/var/run/php/php8\.1-fpm\.sock", errno=2)),
        Case("debian-fpm-sock-alias-tcp", 502, 2, CONNECT.format(target=r"/run/php/php-fpm\.sock", errno=2)),
        # twin of localhost-listen-clean (etc/hosts: localhost is 127.0.0.1 only, 200): here etc/hosts
        # also lists ::1 localhost, php-fpm binds [::1]:9000, nginx's 127.0.0.1:9000 is refused
        Case("localhost-listen-v6", 502, 111, CONNECT.format(target="", errno=111)),
        # www.conf renamed to app.conf with its socket; the admin site's pool is taken: one fit, a safe fix
        Case("debian-renamed-pool", 502, 2, CONNECT.format(target=r"/run/php/php8\.2-fpm\.sock", errno=2)),
        # `set $php_fpm unix:/run/php-fpm/www.sock; fastcgi_pass $php_fpm;` (a CentOS guide on Debian): found
        # and fixed at the set line
        Case("debian-set-variable-socket", 502, 2, CONNECT.format(target=r"/run/php-fpm/www\.sock", errno=2)),
        # a front controller in a named location (try_files $uri @app) on the old socket
        Case("debian-socket-mismatch-named-location", 502, 2,
             CONNECT.format(target=r"/run/php/php8\.1-fpm\.sock", errno=2), path="/some/route"),
    ],
    "GW320": [
        Case("realserver-socket-owner-root", 502, 13, CONNECT.format(target=POOL_SOCKET, errno=13)),
        # php-fpm run as nobody (the unit's User=): the socket is nobody:nogroup, nginx's www-data is
        # refused; its twin container-rootless-clean (nginx and php-fpm both nobody) serves 200
        Case("debian-rootless-fpm-socket", 502, 13, CONNECT.format(target=POOL_SOCKET, errno=13),
             manual_fix=(("etc/nginx/nginx.conf", "user www-data;", "user nobody nogroup;"),)),
        Case("realserver-socket-nginx-user", 502, 13, CONNECT.format(target=POOL_SOCKET, errno=13)),
        # no `user` directive: the workers run as nobody:nogroup; the fix gives them the socket
        Case("nginx-no-user-directive", 502, 13, CONNECT.format(target=POOL_SOCKET, errno=13)),
    ],
    "GW321": [
        Case("realserver-private-tmp", 502, 2, CONNECT.format(target="/tmp/php-fpm.sock", errno=2),
             manual_fix=((POOL, "listen = /tmp/php-fpm.sock", f"listen = {POOL_SOCKET}"),
                         (SITE, "fastcgi_pass unix:/tmp/php-fpm.sock;", f"fastcgi_pass unix:{POOL_SOCKET};"))),
    ],
    "GW340": [
        Case("realserver-read-timeout", 504, 110, TIMED_OUT, path="/slow.php?s=2"),
    ],
    "GW343": [
        # a front vhost proxies to an internal PHP vhost of the same tree that waits 310 s; the front's
        # proxy_read_timeout 2s comes from an http-level include: 504 from the front after 2 s
        Case("nginx-front-read-timeout", 504, 110, TIMED_OUT, path="/slow.php?s=3"),
    ],
    "GW344": [
        # the internal vhost and PHP accept 64 MB, the front inherits 8m from nginx.conf: 413 from the front
        Case("nginx-front-body-size", 413, None, r"\[error\] .*client intended to send too large body: 9437184 bytes",
             body=9 << 20),
    ],
    "GW341": [
        Case("realserver-upload-limit", 413, None, r"\[error\] .*client intended to send too large body: 9437184 bytes",
             body=9 << 20, unsafe_fix=True),
    ],
    "GW380": [
        Case("realserver-no-script-filename", 404, None, r'FastCGI sent in stderr: "Primary script unknown"'),
    ],
    "GW381": [
        Case("realserver-no-root", 404, None, r'FastCGI sent in stderr: "Primary script unknown"',
             manual_fix=((SITE, "    # root is set per application (forgotten here)", "    root /var/www/html;"),)),
        Case("realserver-fpm-chroot", 404, None, r'FastCGI sent in stderr: "Primary script unknown"',
             manual_fix=((POOL, "chroot = /var/www\n", ""),)),
        Case("realserver-missing-docroot", 404, None, r'FastCGI sent in stderr: "Primary script unknown"',
             manual_fix=((SITE, "    root /var/www/app/public;", "    root /var/www/app;"),)),
    ],
    "GW382": [
        Case("realserver-limit-extensions", 403, None,
             r"Access to the script '[^']*index\.phtml' has been denied \(see security\.limit_extensions\)",
             path="/index.phtml", unsafe_fix=True),
    ],
    "GW360": [
        Case("realserver-proxy-port", 502, 111, CONNECT.format(target="", errno=111), path="/"),
        Case("backends-vhosts-broken", 502, 111, CONNECT.format(target="", errno=111), path="/api/"),
    ],
    "GW361": [
        Case("realserver-loopback-bind", 502, 111, CONNECT.format(target="", errno=111), path="/",
             manual_fix=(("etc/systemd/system/gunicorn.service", "--bind 127.0.0.1:8000", "--bind 0.0.0.0:8000"),)),
    ],
}

# Rules whose docs name a status that cannot be shown on a test machine, each with the reason; the
# meta-test keeps this list to rules that claim a status and have no case, and the README shows it.
NOT_REPRODUCED: dict[str, str] = {
    "GW103": "needs a resolver that maps localhost to both 127.0.0.1 and ::1; this machine's /etc/hosts "
             "maps it to 127.0.0.1 only, so nginx never tries ::1 here",
    "GW104": "needs an SNI-only TLS origin: a certificate and private key committed as a fixture, and a "
             "second TLS server; the handshake failure was measured by hand (see the rule's docs)",
    "GW224": "needs real memory exhaustion (the kernel's OOM killer, or swapping), which a test must not "
             "drive the machine into; a worker dying mid-request (502, 104: Connection reset) is shown "
             "by GW220's case",
    "GW322": "its 502 needs a PrivateTmp=true unit that the tree does not hold (that is what it reports); "
             "with the unit in the tree it is GW321's case realserver-private-tmp",
    "GW362": "info, strict mode: reports that the tree declares no backend for a target, which may be "
             "fine; the 502 when nothing listens is shown by GW360's cases",
}

# what a clean fixture is asked for (default /index.php): proxy fixtures reach a stand-in or a vhost
CLEAN_PATHS = {"backends-compose-clean": "/app/", "backends-systemd-clean": "/", "backends-vhosts-clean": "/api/",
               "octane-upstream-variable-clean": "/index.php?a=1"}
# the port asked for when it is not 80 (a rootless nginx cannot bind 80)
CLEAN_PORTS = {"container-rootless-clean": 8080}


def all_cases() -> list[tuple[str, Case]]:
    return [(key, case) for key, cases in REALSERVER_CASES.items() for case in cases]
