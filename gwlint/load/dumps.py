"""`nginx -T` and `php-fpm -tt` output, materialized as a tree that the normal model lints.

An nginx dump is split at its `# configuration file PATH:` markers and every file is written to a
temp dir at its original absolute path (`/etc/nginx/nginx.conf` -> `TMP/etc/nginx/nginx.conf`),
with its original lines, so findings read `etc/nginx/nginx.conf:12`: the original path shown
relative to `/`. php-fpm -tt prints the effective config in log lines
(`[date] NOTICE: \tkey = value`) without file names or lines; it becomes one INI file named after
the dump as given (`<stdin>` for `-`) whose line numbers are the dump's own; each -tt dump is
one FPM install (a host with several PHP versions has one per version).
"""

import os
import posixpath
import re
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from gwlint.errors import InputError
from gwlint.load.fsroot import decode_config
from gwlint.load.inputs import Inputs

STDIN = "-"
_NGINX_MARKER = re.compile(r"# configuration file (.+):\r?")
# any prefix before the level: `[date] `, journald's `php-fpm8.2[12]: `, compose's `php-1  | `
_FPM_NOTICE = re.compile(r".*?\bNOTICE: ?(.*?)\r?")
_FPM_PROBLEM = re.compile(r".*?\b(ERROR|ALERT):\s*(.*?)\r?")
_FPM_SETTING = re.compile(r"(?:\s|#011)*([A-Za-z_][\w.\-]*(?:\[[^\]]*\])?)\s*=\s?(.*)")
_FPM_UNSET = ("undefined", "unknown value")  # -tt's words for "not set": the default applies


def dump_name(source: str) -> str:
    return "<stdin>" if source == STDIN else source


def read_dump(source: str) -> str:
    """The text of a dump file, or of stdin for `-`."""
    name = dump_name(source)
    try:
        if source == STDIN:
            data = sys.stdin.buffer.read()
        else:
            with open(source, "rb") as fh:
                data = fh.read()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", name) from None
    return decode_config(data, name)


def split_nginx_dump(text: str, name: str) -> list[tuple[str, str, int]]:
    """(path, text, marker line) for every file of an `nginx -T` dump, in dump order.

    nginx writes each file's bytes after its marker line and then one newline; text before
    the first marker (`nginx: ... syntax is ok` when stderr was captured too) is not config.
    """
    files: list[tuple[str, list[str], int]] = []
    for number, line in enumerate(text.split("\n"), 1):
        m = _NGINX_MARKER.fullmatch(line)
        if m:
            files.append((m.group(1), [], number))
        elif files:
            files[-1][1].append(line)
    if not files:
        raise InputError("no '# configuration file PATH:' line: not `nginx -T` output "
                         "(did nginx -T fail? run it alone to see its error)", name, 1)
    if files[-1][1][-1:] == [""]:
        files[-1][1].pop()  # the newline nginx adds after the last file (the others end at a marker)
    out, seen = [], set()
    for path, lines, number in files:
        if path not in seen:  # older nginx repeats a file included twice
            seen.add(path)
            out.append((path, "\n".join(lines), number))
    return out


def fpm_dump_ini(text: str, name: str) -> str:
    """The effective config of a `php-fpm -tt` dump as INI text, on the dump's own line numbers."""
    lines, sections = [], 0
    for number, line in enumerate(text.split("\n"), 1):
        notice = _FPM_NOTICE.fullmatch(line)
        problem = None if notice else _FPM_PROBLEM.fullmatch(line)
        if problem:
            raise InputError(f"php-fpm reported {problem.group(1)}: {problem.group(2)}", name, number)
        body = notice.group(1) if notice else ""
        setting = _FPM_SETTING.fullmatch(body)
        if body.startswith("[") and body.rstrip().endswith("]"):
            sections += 1
            lines.append(body.strip())
        elif setting and sections and setting.group(2).strip() not in _FPM_UNSET:
            lines.append(f"{setting.group(1)} = {_ini_value(setting.group(2).strip())}")
        else:
            lines.append("")
    if not sections:
        raise InputError("no '[global]' or '[pool]' line: not `php-fpm -tt` output "
                         "(it prints to stderr: use `php-fpm -tt 2>&1`)", name, 1)
    return "\n".join(lines) + "\n"


def _ini_value(value: str) -> str:
    """A value as an INI line keeps it: quoted when it holds a comment or quote character."""
    if not any(c in value for c in ";\"'#"):
        return value
    return f'"{value}"' if '"' not in value else f"'{value}'" if "'" not in value else '""'


def virtual_path(root: str, path: str, name: str, line: int) -> str:
    """Where a dumped absolute path lives in the temp tree; never outside it."""
    rel = posixpath.normpath("/" + path).lstrip("/")
    if not rel:
        raise InputError(f"bad file name {path!r} in dump", name, line)
    return os.path.join(root, rel)


def _write(target: str, text: str, name: str, line: int) -> None:
    try:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "x", encoding="utf-8", errors="surrogateescape", newline="") as fh:
            fh.write(text)
    except OSError as exc:
        what = os.path.basename(target)
        raise InputError(f"cannot place {what} from the dump: {exc.strerror or exc}", name, line) from None


@contextmanager
def materialize(nginx_dump: str | None, fpm_dumps: list[str], php_ini: list[str]) -> Iterator[Inputs]:
    """A temp tree holding the dumps (one FPM install per -tt dump; php.ini files at their paths)."""
    if [nginx_dump, *fpm_dumps].count(STDIN) > 1:
        raise InputError("only one dump can read stdin (-)")
    with tempfile.TemporaryDirectory(prefix="gwlint-dump-") as tmp:
        tree = Inputs(tmp, shown="/")
        if nginx_dump is not None:
            name = dump_name(nginx_dump)
            for path, text, line in split_nginx_dump(read_dump(nginx_dump), name):
                target = virtual_path(tree.root, path, name, line)
                _write(target, text, name, line)
                tree.nginx = tree.nginx or [target]  # the first file is the -c file
        for fpm_dump in fpm_dumps:  # named as given: `fpm.txt`, `<stdin>`, /srv/x -> `srv/x`
            name = dump_name(fpm_dump)
            target = virtual_path(tree.root, name, name, 1)
            _write(target, fpm_dump_ini(read_dump(fpm_dump), name), name, 1)
            tree.fpm.append(target)
        for ini in php_ini:
            target = virtual_path(tree.root, os.path.abspath(ini), ini, 1)
            _write(target, read_dump(ini), ini, 1)
            tree.php_ini.append(target)
        yield tree
