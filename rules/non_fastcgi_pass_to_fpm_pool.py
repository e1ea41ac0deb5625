r"""A `proxy_pass`, `uwsgi_pass`, `scgi_pass` or `grpc_pass` is aimed at a PHP-FPM pool.

## What it does
Resolves every non-FastCGI `*_pass` (directly, or through each `server` of an `upstream {}`
block) and flags the ones that certainly land on a PHP-FPM pool found in the tree: the pool's unix
socket, or its TCP port on an address the connection reaches (a loopback target, or the pool's
own address). Service names and remote addresses are not guessed: a `proxy_pass http://app:9000`
may be a Node app in another container.

## Why is this bad?
PHP-FPM speaks only FastCGI. nginx sends it an HTTP, uwsgi, SCGI or gRPC request; FPM drops the
connection and every request there is a **502 Bad Gateway** with error.log
`recv() failed (104: Connection reset by peer) while reading response header from upstream`
or `upstream prematurely closed connection while reading response header from upstream`,
depending on timing (both measured against php-fpm 8.2). It usually comes from copying a reverse-proxy
location for a PHP app.

## Example
```nginx
location ~ \.php$ {
    proxy_pass http://127.0.0.1:9000;    # pool: listen = 127.0.0.1:9000
}
```

## Use instead
```nginx
location ~ \.php$ {
    include fastcgi_params;
    fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
    fastcgi_pass 127.0.0.1:9000;
}
```

## Fix
None: a FastCGI location needs its `fastcgi_param`s (`SCRIPT_FILENAME`), which gwlint cannot
choose for you.

## References
- https://nginx.org/en/docs/http/ngx_http_fastcgi_module.html#fastcgi_pass
- https://www.php.net/manual/en/install.fpm.php
"""

from collections.abc import Iterator

from gwlint.rule import Finding, Severity, Workspace, consequence, is_loopback_host, related, report

CODE = "GW302"
NAME = "non-fastcgi-pass-to-fpm-pool"
SEVERITY = Severity.ERROR

_PROTOCOL = {"proxy_pass": "HTTP", "uwsgi_pass": "uwsgi", "scgi_pass": "SCGI", "grpc_pass": "gRPC",
             "memcached_pass": "memcached"}


def check(ws: Workspace) -> Iterator[Finding]:
    for route in ws.routes:
        if route.kind == "fastcgi_pass":
            continue
        for backend in route.live_backends:
            target = backend.endpoint
            if target is None or (target.kind == "tcp" and not is_loopback_host(target.host)
                                  and not any(p.endpoint.host == target.host for p in backend.pools)):
                continue
            pools = [p for p in backend.pools if ws.accepts(p.endpoint, target)]
            if not pools:
                continue
            pool = pools[0]
            message = (f"{route.via(backend)}: PHP-FPM pool '{pool.name}' listens on {target} and speaks "
                       f"only FastCGI, but {route.kind} sends {_PROTOCOL[route.kind]}: every request here gets "
                       f"{consequence.fpm_closed()}; use fastcgi_pass with fastcgi_params")
            rel = [related(p.get("listen"), f"pool '{p.name}' listens here (FastCGI only)") for p in pools]
            if backend.directive is not route.directive:
                rel.insert(0, related(route.directive, f"used by this {route.kind}"))
            yield report(backend.directive, message, rel)
