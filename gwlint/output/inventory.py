"""What a run linted: the summary line under the report, and `--verbose`'s listing."""

import posixpath
import re

_VERSION = re.compile(r"php/?(\d)\.?(\d+)")


def _join(prefix: str, path: str) -> str:
    return posixpath.join(prefix, path) if prefix else path


def _fpm_label(install) -> str:
    m = _VERSION.search(install.conf or (install.files[0] if install.files else ""))
    name = f"php-fpm {m.group(1)}.{m.group(2)}" if m else "php-fpm"
    return name if install.conf else f"{name} pool files"


def _php_ini(install) -> str:
    chain = install.php_ini_files
    if not chain:
        return "no php.ini"
    head = "php.ini" if chain[0].endswith("php.ini") else None
    rest = chain[1:] if head else chain
    scan = posixpath.basename(posixpath.dirname(rest[0])) if rest else ""
    scan = scan if scan in ("conf.d", "php.d") else "conf.d"  # (phpenmod links point into mods-available)
    more = f"{len(rest)} {scan} file{'s' if len(rest) != 1 else ''}" if rest else ""
    return " + ".join(p for p in (head, more) if p)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def linted(ws, prefix: str = "") -> str:
    """One line: `nginx: 14 files, 3 servers; php-fpm 8.2: 2 pools, php.ini + 3 conf.d files`."""
    parts = []
    if ws.nginx:
        servers = sum(1 for instance in ws.nginx for node in instance.main.walk()
                      if node.name == "server" and node.block is not None and node.parent is not None
                      and node.parent.name == "http")
        parts.append(f"nginx: {_plural(len(ws.nginx_files), 'file')}, {_plural(servers, 'server')}")
    for install in ws.installs:
        parts.append(f"{_fpm_label(install)}: {_plural(len(install.pools), 'pool')}, {_php_ini(install)}")
    text = "; ".join(parts) or "nothing"
    return f"{prefix}: {text}" if prefix else text


def describe(ws, prefix: str = "") -> str:
    """Entry files, pools, declared backends, then every file the run read."""
    lines = [f"root: {prefix}"] if prefix else []
    lines += [f"nginx: {_join(prefix, i.entry)} ({len(i.routes)} *_pass directives, {len(i.upstreams)} upstreams)"
              for i in ws.nginx]
    for install in ws.installs:
        conf = _join(prefix, install.conf) if install.conf else "pool files"
        lines.append(f"php-fpm: {conf} ({len(install.pools)} pools; "
                     f"php.ini chain: {', '.join(_join(prefix, p) for p in install.php_ini_files) or 'none'})")
        lines += [f"  pool {p.name} ({_join(prefix, p.path)}:{p.line}) listens on {p.listen or '?'}"
                  for p in install.pools]
    for d in ws.declarations:
        where = f"{_join(prefix, d.path)}:{d.line}" if d.path else "config"
        lines.append(f"backend: {d.label} [{d.machine}] ({where})")
    read = sorted(ws.root.read_files)
    lines.append(f"files read ({len(read)}):")
    lines += [f"  {_join(prefix, rel)}" for rel in read]
    return "\n".join(lines) + "\n"
