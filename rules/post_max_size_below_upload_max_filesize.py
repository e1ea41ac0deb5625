"""PHP's `post_max_size` is below `upload_max_filesize`: the upload limit can never be reached.

## What it does
For every PHP-FPM pool, compares the effective `post_max_size` (0 = no limit) with the effective
`upload_max_filesize` (php.ini chain, then the pool's `php_value`/`php_admin_value`).

## Why is this bad?
A file upload is part of the POST body, so `post_max_size` caps it first. A file between the two
limits is not rejected cleanly: PHP drops the whole body, `$_POST` and `$_FILES` are empty and
the log says `PHP Warning: PHP Request Startup: POST Content-Length of N bytes exceeds the limit of
M bytes`. The application usually reports a confusing "no file" or CSRF error.

## Example
```ini
upload_max_filesize = 64M
post_max_size = 8M
```

## Use instead
```ini
upload_max_filesize = 64M
post_max_size = 65M
```

## Fix
None

## References
- https://www.php.net/manual/en/ini.core.php#ini.post-max-size
- https://www.php.net/manual/en/features.file-upload.common-pitfalls.php
"""

from collections.abc import Iterator

from gwlint.rule import Finding, Severity, Workspace, php_value, related, report

CODE = "GW222"
NAME = "post-max-size-below-upload-max-filesize"
SEVERITY = Severity.WARNING


def check(ws: Workspace) -> Iterator[Finding]:
    groups: dict[tuple, list] = {}  # pools reading the same two settings share one finding
    for pool in ws.pools:
        post = php_value(pool, "post_max_size")
        upload = php_value(pool, "upload_max_filesize")
        if post.number is None or upload.number is None or post.number <= 0 or post.number >= upload.number:
            continue
        groups.setdefault((post.at, upload.at), [post, upload, []])[2].append(pool.name)
    for post, upload, names in groups.values():
        at, other = (post, upload) if post.at is not None else (upload, post)
        rel = [related(other.at, f"{other.name} in effect")] if other.at is not None else []
        pools = ", ".join(f"'{name}'" for name in names)
        yield report(at.at, (
            f"{post} is below {upload} (pool{'s' if len(names) > 1 else ''} {pools}): a file between the two "
            f"limits makes PHP drop the whole request body ($_POST and $_FILES empty, 'POST Content-Length of "
            f"N bytes exceeds the limit'), so upload_max_filesize is never reached"), rel)
