"""`client_max_body_size` is above the maximum this team allows.

## What it does
Reports every `client_max_body_size` above the `maximum` option (default 100M), and `0`
(no limit at all).

## Why is this bad?
Large request bodies tie up a worker and the disk under `client_body_temp_path` for as long as
the upload lasts; a limit far above what the application accepts only helps abuse.

## Example
```nginx
client_max_body_size 2G;
```

## Use instead
```nginx
client_max_body_size 64M;
```

## Fix
None

## References
- https://nginx.org/en/docs/http/ngx_http_core_module.html#client_max_body_size
"""

from collections.abc import Iterator

from gwlint.rule import Finding, Severity, Workspace, nginx_bytes, option, report

CODE = "EX101"
NAME = "body-size-above-maximum"
SEVERITY = Severity.WARNING


class Options:
    maximum: int = option(100 * 1024**2, 'largest client_max_body_size allowed, in bytes or as a size ("100M")')


OPTIONS = Options


def check(ws: Workspace) -> Iterator[Finding]:
    maximum = ws.options_for(NAME).maximum
    for directive in ws.directives("client_max_body_size"):
        size = nginx_bytes(directive.args[0]) if directive.args else None
        if size == 0 or (size is not None and size > maximum):
            yield report(directive, f"client_max_body_size {directive.args[0]} is above the maximum "
                         f"{maximum // 1024**2}M allowed here")
