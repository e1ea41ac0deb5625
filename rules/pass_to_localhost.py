"""A `*_pass` (or upstream `server`) targets `localhost`, which nginx resolves to two addresses.

## What it does
Flags every `proxy_pass`, `fastcgi_pass`, `uwsgi_pass`, `scgi_pass` and `grpc_pass` target, and
every `server` line of an `upstream {}` they use, whose host is `localhost`. A `fastcgi_pass` whose
pool listens on every address (`listen = 9000` binds `::` dual-stack) is left alone, and so is
everything when the tree's own `etc/hosts` gives `localhost` addresses of one family only.

## Why is this bad?
nginx resolves `localhost` once, at start-up, to every address /etc/hosts gives it: 127.0.0.1
and ::1 on Debian, Ubuntu, RHEL and in Docker containers. It then round-robins between the two.
A backend bound to only one of them (`127.0.0.1:3000`, the usual case) refuses the other:
error.log fills with `connect() failed (111: Connection refused) while connecting to upstream`,
each such request waits for a retry on the other address, and it becomes a **502 Bad Gateway**
when retries are off (`proxy_next_upstream off`) or the other address fails too.

## Example
```nginx
proxy_pass http://localhost:3000;         # the app listens on 127.0.0.1:3000
```

## Use instead
```nginx
proxy_pass http://127.0.0.1:3000;
```

## Fix
Unsafe: replaces `localhost` by `127.0.0.1` (by `[::1]` when the only pool behind it listens on
::1): gwlint cannot see which address a non-PHP backend binds.

## References
- https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_pass
- https://nginx.org/en/docs/http/ngx_http_upstream_module.html#server
"""

import re
from collections.abc import Iterator

from gwlint.rule import ANY_ADDRESSES, Finding, Severity, Workspace, consequence, related, report, set_args

CODE = "GW103"
NAME = "pass-to-localhost"
SEVERITY = Severity.WARNING

_LOCALHOST = r"(?i)^((?:[a-z]+://)?)localhost(?=[:/]|$)"


def check(ws: Workspace) -> Iterator[Finding]:
    hosts = ws.hosts
    localhost = [address for address, _ in (hosts or {}).get("localhost", ())] or ["127.0.0.1", "::1"]
    if hosts is not None and len({":" in a for a in localhost}) == 1:
        return  # the tree's etc/hosts gives localhost one address family: nginx gets one address
    seen: set[int] = set()  # an upstream server line shared by several routes is reported once
    for route in ws.routes:
        for backend in route.live_backends:
            target = backend.endpoint
            if target is None or target.kind != "tcp" or (target.host or "").lower() != "localhost" \
                    or id(backend.directive) in seen:
                continue
            seen.add(id(backend.directive))
            listens = [p.endpoint for p in backend.pools] if route.kind == "fastcgi_pass" else []
            if any(listen.host in ANY_ADDRESSES for listen in listens):
                continue
            address = "[::1]" if listens and all(listen.host == "::1" for listen in listens) else "127.0.0.1"
            retry = route.kind.replace("_pass", "_next_upstream")
            setting = route.directive.parent.inherited(retry) if route.directive.parent else None
            outcome = (f"with {retry} off those requests get {consequence.BAD_GATEWAY}"
                       if setting is not None and setting.args[:1] == ["off"] else
                       f"each such request waits for a retry on the other address, and gets "
                       f"{consequence.BAD_GATEWAY} when that fails too")
            message = (f"{route.via(backend)}: nginx resolves localhost at start-up to 127.0.0.1 and ::1 and "
                       f"alternates between them; a backend bound to one refuses the other, error.log: "
                       f"{consequence.REFUSED}, and {outcome}; write {address}")
            rel = [related(p.get("listen"), f"pool '{p.name}' listens on {p.listen}") for p in backend.pools
                   if route.kind == "fastcgi_pass"]
            arg = backend.directive.args[0]
            new = re.sub(_LOCALHOST, lambda m: m.group(1) + address, arg, count=1)  # noqa: B023 (called at once)
            fix = set_args(ws, backend.directive, [new, *backend.directive.args[1:]],
                           f"replace localhost by {address}", safe=False)
            yield report(backend.directive, message, rel, fix)
