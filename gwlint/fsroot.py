"""The linted root: maps config paths under it, reads files safely, never leaves it."""

import glob
import os
from pathlib import Path, PurePosixPath
import stat

from gwlint.errors import InputError

MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_SYMLINKS = 40  # as Linux: more links than this while resolving one path means a loop
_MAGIC = frozenset("*?[")


class Root:
    """A tree laid out like `/`; absolute paths inside configs mean paths under it."""

    def __init__(self, path: Path, path_map: dict[str, str] | None = None,
                 overlay: dict[str, str] | None = None):
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

    def map_config_path(self, value: str, base: Path) -> Path:
        """A path as written in a config: absolute means under the root, relative means `base`."""
        if not value.startswith("/"):
            return base / value
        for prefix, target in self.path_map:
            if value == prefix or value.startswith(prefix.rstrip("/") + "/"):
                return self.path / target / value[len(prefix):].lstrip("/")
        return self.path / value.lstrip("/")

    def resolve(self, path: Path) -> Path | None:
        """`path` with its symlinks resolved as in a chroot at the root, or None.

        An absolute link target means a path under the root, `..` stops at the root, so the
        result never leaves it. None when `path` is not under the root or its links loop.
        """
        absolute = os.path.abspath(path)
        for base in (os.path.abspath(self.path), str(self.real)):
            if absolute == base or absolute.startswith(base.rstrip(os.sep) + os.sep):
                todo = absolute[len(base):].split(os.sep)[::-1]
                break
        else:
            return None
        done: list[str] = []
        links = 0
        while todo:
            part = todo.pop()
            if part in ("", "."):
                continue
            if part == "..":
                if done:
                    done.pop()
                continue
            candidate = os.path.join(self.real, *done, part)
            if os.path.islink(candidate):
                links += 1
                try:
                    target = os.readlink(candidate)
                except OSError:
                    return None
                if links > MAX_SYMLINKS:
                    return None
                if target.startswith("/"):
                    done = []
                todo.extend(target.split("/")[::-1])
                continue
            done.append(part)
        return self.real.joinpath(*done)

    def contains(self, path: Path) -> bool:
        """True when `path`, symlinks resolved as in a chroot, lies inside the root."""
        return self.resolve(path) is not None

    def exists(self, path: Path) -> bool:
        real = self.resolve(path)
        return real is not None and os.path.exists(real)

    def is_file(self, path: Path) -> bool:
        real = self.resolve(path)
        return real is not None and os.path.isfile(real)

    def is_dir(self, path: Path) -> bool:
        real = self.resolve(path)
        return real is not None and os.path.isdir(real)

    def rel(self, path: Path) -> str:
        """`path` relative to the root, POSIX style, as findings show it."""
        try:
            return PurePosixPath(Path(os.path.abspath(path)).relative_to(os.path.abspath(self.path))).as_posix()
        except ValueError:
            pass
        try:
            return PurePosixPath(Path(os.path.realpath(path)).relative_to(self.real)).as_posix()
        except ValueError:
            return Path(path).as_posix()

    def canonical(self, path: Path) -> Path:
        """`path` with its symlinks resolved inside the root (where edits go); else `path`."""
        return self.resolve(path) or path

    def glob(self, pattern: Path) -> list[Path]:
        """Paths matching a glob pattern under the root, sorted like nginx and php-fpm do.

        The directories before the first wildcard are resolved inside the root; the matches keep
        the names they are listed under (callers resolve them when they read).
        """
        parts = Path(pattern).parts
        cut = next((i for i, part in enumerate(parts) if _MAGIC & set(part)), len(parts))
        prefix = Path(*parts[:cut])
        if cut == len(parts):
            return [prefix] if self.exists(prefix) else []
        base = self.resolve(prefix)
        if base is None or not os.path.isdir(base):
            return []
        matches = glob.glob(os.path.join(*parts[cut:]), root_dir=base)
        return [prefix / m for m in sorted(matches) if self.contains(prefix / m)]

    def read_text(self, path: Path) -> str:
        """The text of a config file, or an InputError saying why it cannot be linted."""
        cached = self._texts.get(path)
        if cached is not None:
            return cached
        rel = self.rel(path)
        if rel in self.overlay:
            return self.overlay[rel]
        real = self.resolve(path)
        if real is None:
            raise InputError("refusing to read a file outside the linted root (symlink?)", rel)
        try:
            mode = os.stat(real).st_mode
            if stat.S_ISDIR(mode):
                raise InputError("is a directory, expected a file", rel)
            if not stat.S_ISREG(mode):  # a fifo would block open() forever
                raise InputError("not a regular file (fifo, socket or device)", rel)
            size = os.path.getsize(real)
            if size > MAX_FILE_BYTES:
                raise InputError(f"file too large ({size} bytes, limit {MAX_FILE_BYTES})", rel)
            with open(real, "rb") as fh:
                data = fh.read()
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror or exc}", rel) from None
        text = decode_config(data, rel)
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
