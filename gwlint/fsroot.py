"""The linted root: maps config paths under it, reads files safely, never leaves it."""

import fnmatch
import glob
import os
import stat
from pathlib import Path

from gwlint.errors import InputError

MAX_FILE_BYTES = 64 * 1024 * 1024


class Root:
    """A tree laid out like `/`; absolute paths inside configs mean paths under it."""

    def __init__(self, path: Path, path_map: dict[str, str] | None = None,
                 overlay: dict[str, str] | None = None, cache=None):
        if not path.exists():
            raise InputError("no such file or directory", str(path))
        if not path.is_dir():
            raise InputError("not a directory (ROOT must be a config tree)", str(path))
        self.path = path
        self.real = Path(os.path.realpath(path))
        # longest config prefix first: "/etc/nginx" -> root-relative "nginx"
        self.path_map = sorted((path_map or {}).items(), key=lambda kv: -len(kv[0]))
        self._texts: dict[Path, str] = {}
        self.overlay = overlay or {}  # root-relative path -> text, for fixes not yet written
        self.cache = cache  # a gwlint.cache.ParseCache, or None to parse every file
        self.boms: set[str] = set()  # files that start with a UTF-8 BOM (kept when written)
        self._real: dict[str, str] = {}  # realpath memo: a run asks about the same paths often
        self._rel: dict[str, str] = {}
        self._globs: dict[str, list[Path]] = {}
        self._real_str = str(self.real)
        self._real_prefix = self._real_str.rstrip(os.sep) + os.sep
        self._abs = os.path.abspath(path)

    def map_config_path(self, value: str, base: Path) -> Path:
        """A path as written in a config: absolute means under the root, relative means `base`."""
        if not value.startswith("/"):
            return base / value
        for prefix, target in self.path_map:
            if value == prefix or value.startswith(prefix.rstrip("/") + "/"):
                return self.path / target / value[len(prefix):].lstrip("/")
        return self.path / value.lstrip("/")

    def realpath(self, path) -> str:
        """os.path.realpath, memoized, resolving each directory once (a run stats 20k files)."""
        key = os.fspath(path)
        real = self._real.get(key)
        if real is None:
            head, tail = os.path.split(key)
            if head and tail not in ("", ".", "..") and not os.path.islink(key):
                real = os.path.join(self.realpath(head), tail)
            else:
                real = os.path.realpath(key)
            self._real[key] = real
        return real

    def _inside(self, real: str) -> bool:
        return real == self._real_str or real.startswith(self._real_prefix)

    def contains(self, path: Path) -> bool:
        """True when `path`, symlinks resolved, lies inside the root."""
        return self._inside(self.realpath(path))

    def rel(self, path: Path) -> str:
        """`path` relative to the root, POSIX style, as findings show it."""
        key = os.fspath(path)
        rel = self._rel.get(key)
        if rel is None:
            rel = self._rel[key] = self._relative(key)
        return rel

    def _relative(self, path: str) -> str:
        for full, base in ((os.path.abspath(path), self._abs), (None, self._real_str)):
            full = full or self.realpath(path)
            if full == base:
                return "."
            if full.startswith(base.rstrip(os.sep) + os.sep):
                return full[len(base.rstrip(os.sep)) + 1:].replace(os.sep, "/")
        return Path(path).as_posix()

    def canonical(self, path: Path) -> Path:
        """`path` with symlinks resolved when the target stays inside the root (edits go there)."""
        real = self.realpath(path)
        return Path(real) if self._inside(real) else path

    def glob(self, pattern: Path) -> list[Path]:
        """Files matching a glob pattern, sorted like nginx and php-fpm do, inside the root."""
        text = str(pattern)
        matches = self._globs.get(text)
        if matches is None:  # nginx and FPM may glob the same directory (pool.d): list it once
            head, tail = os.path.split(text)
            found = self._glob_last(head, tail) if head and glob.has_magic(tail) and not glob.has_magic(head) \
                else glob.glob(text)
            matches = self._globs[text] = [Path(p) for p in sorted(found) if self.contains(p)]
        return list(matches)

    def _glob_last(self, head: str, tail: str) -> list[str]:
        """glob.glob for wildcards in the last part only (`sites-enabled/*`): one scandir, and the
        entries' symlink bit spares realpath an lstat per file."""
        try:
            with os.scandir(head) as it:
                entries = list(it)
        except OSError:
            return []
        hidden = tail.startswith(".")  # as glob: a leading dot is matched only by a leading dot
        found = []
        for entry in entries:
            name = entry.name
            if (name[0] == "." and not hidden) or not fnmatch.fnmatchcase(name, tail):
                continue
            path = os.path.join(head, name)
            if not entry.is_symlink():
                self._real.setdefault(path, os.path.join(self.realpath(head), name))
            found.append(path)
        return found

    def read_text(self, path: Path) -> str:
        """The text of a config file, or an InputError saying why it cannot be linted."""
        cached = self._texts.get(path)
        if cached is not None:
            return cached
        rel = self.rel(path)
        if rel in self.overlay:
            return self.overlay[rel]
        if not self.contains(path):
            raise InputError("refusing to read a file outside the linted root (symlink?)", rel)
        try:
            with open(path, "rb") as fh:
                info = os.fstat(fh.fileno())
                if stat.S_ISDIR(info.st_mode):
                    raise InputError("is a directory, expected a file", rel)
                if info.st_size > MAX_FILE_BYTES:
                    raise InputError(f"file too large ({info.st_size} bytes, limit {MAX_FILE_BYTES})", rel)
                data = fh.read()
        except IsADirectoryError:
            raise InputError("is a directory, expected a file", rel) from None
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror or exc}", rel) from None
        text = decode_config(data, rel)
        if data.startswith(b"\xef\xbb\xbf"):
            self.boms.add(rel)
        self._texts[path] = text
        return text


def decode_config(data: bytes, rel: str) -> str:
    """UTF-8 text without a BOM; binary or non-UTF-8 input is an InputError with its line."""
    if b"\0" in data:
        line = data[: data.index(b"\0")].count(b"\n") + 1
        raise InputError("binary file (NUL byte), not a config", rel, line)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(f"not valid UTF-8 (byte 0x{data[exc.start]:02x})", rel, line) from None
    return text[1:] if text.startswith("\ufeff") else text
