"""The linted root: maps config paths under it, reads files safely, never leaves it.

Paths are strings handled with os.path, here and in the layers above: importing pathlib (which
pulls in urllib.parse and ipaddress) was 7% of a 1-site run (README, Performance).
"""

import errno
import glob
import os
import stat

from gwlint.errors import InputError

MAX_FILE_BYTES = 64 * 1024 * 1024


class Root:
    """A tree laid out like `/`; absolute paths inside configs mean paths under it."""

    def __init__(self, path: "str | os.PathLike[str]", path_map: dict[str, str] | None = None,
                 overlay: dict[str, str] | None = None, cache=None):
        path = os.fspath(path)
        if not os.path.exists(path):
            raise InputError("no such file or directory", path)
        if not os.path.isdir(path):
            raise InputError("not a directory (ROOT must be a config tree)", path)
        self.path = path = clean(path)
        self.real = os.path.realpath(path)
        # longest config prefix first: "/etc/nginx" -> root-relative "nginx"
        self.path_map = sorted((path_map or {}).items(), key=lambda kv: -len(kv[0]))
        self._texts: dict[str, str] = {}
        self.overlay = overlay or {}  # root-relative path -> text, for fixes not yet written
        self.cache = cache  # a gwlint.load.cache.ParseCache, or None to parse every file
        self.boms: set[str] = set()  # files that start with a UTF-8 BOM (kept when written)
        # memos: a run asks about the same paths often (a MemoryCache keeps them from run to run)
        memos = cache.path_memos(path, self.path_map) if cache is not None else None
        self._real: dict[str, str] = memos.real if memos else {}
        self._rel: dict[str, str] = memos.rel if memos else {}
        self._resolved: dict[str, str | None] = memos.resolved if memos else {}
        self._globs: dict[tuple[str, bool], list[str]] = memos.globs if memos else {}
        self._mapped: dict[tuple[str, str], str] = memos.mapped if memos else {}
        self._dirs: dict[str, bool] = {}  # is_dir() and lexists() answers of this run
        self._lexists: dict[str, bool] = {}
        self._real_dir = self.real.rstrip(os.sep) + os.sep
        self._abs = os.path.abspath(path)
        self.read_files: dict[str, None] = {}  # root-relative paths read, in order (--verbose lists them)

    def realpath(self, path: str) -> str:
        """os.path.realpath, memoized, resolving each directory once (a run stats 20k files)."""
        real = self._real.get(path)
        if real is None:
            head, tail = os.path.split(path)
            if head and tail not in ("", ".", "..") and not os.path.islink(path):
                real = os.path.join(self.realpath(head), tail)
            else:
                real = os.path.realpath(path)
            self._real[path] = real = path if real == path else real  # (the same string: one kept, not two)
        return real

    def map_config_path(self, value: str, base: str) -> str:
        """A path as written in a config: absolute means under the root, relative means `base`."""
        key = (value, base)
        mapped = self._mapped.get(key)
        if mapped is None:
            mapped = self._mapped[key] = self._map_config_path(value, base)
        return mapped

    def _map_config_path(self, value: str, base: str) -> str:
        if not value.startswith("/"):
            return join(base, value)
        if self._abs != "/" and value.startswith(self._abs.rstrip("/") + "/"):
            return value  # a relocated copy's configs name its own files (verify, doctor)
        for prefix, target in self.path_map:
            if value == prefix or value.startswith(prefix.rstrip("/") + "/"):
                return join(join(self.path, target), value[len(prefix):].lstrip("/"))
        return join(self.path, value.lstrip("/"))

    def resolve(self, path: str) -> str | None:
        """`path` with every symlink resolved as the tree means it, or None when that leaves the root.

        A symlink resolves as on the host when it stays inside the root. Otherwise an absolute
        target is read as a path under the root (servers copied with `cp -a` keep Debian's
        `sites-enabled/default -> /etc/nginx/sites-available/default` and phpenmod's
        `conf.d/10-opcache.ini -> /etc/php/8.2/mods-available/opcache.ini`); a relative target
        climbing out of the root, or a loop, gives None.
        """
        if path not in self._resolved:  # a run asks about the same paths many times
            self._resolved[path] = self._resolve(path)
        return self._resolved[path]

    def _resolve(self, path: str) -> str | None:
        real = self.realpath(path)
        if real == self.real or real.startswith(self._real_dir):  # (also right for ROOT = /)
            return path if real == path else real  # (the caller's string when no symlink is on the way)
        absolute = os.path.abspath(path)
        for base in (self._abs, self.real):
            parts = parts_below(absolute, base)
            if parts is not None:
                return self._resolve_parts(parts)
        return None

    def _resolve_parts(self, pending: list[str]) -> str | None:
        current, hops = self.real, 0
        while pending:
            part = pending.pop(0)
            if part == "..":
                if current == self.real:
                    return None
                current = os.path.dirname(current)
                continue
            candidate = os.path.join(current, part)
            if not os.path.islink(candidate):
                current = candidate
                continue
            hops += 1
            if hops > 40:  # ELOOP, as the kernel would say
                return None
            target = os.readlink(candidate)
            if target.startswith("/"):
                mapped = os.path.abspath(self.map_config_path(target, current))
                current, pending = self.real, [*(parts_below(mapped, self._abs) or []), *pending]
            else:
                pending = [*components(target), *pending]
        return current

    def contains(self, path: str) -> bool:
        """True when `path`, symlinks resolved (see resolve), lies inside the root."""
        return self.resolve(path) is not None

    def is_file(self, path: str) -> bool:
        resolved = self.resolve(path)
        return resolved is not None and os.path.isfile(resolved)

    def is_dir(self, path: str) -> bool:
        found = self._dirs.get(path)
        if found is None:  # (rules ask about the same directories: /var/www for every site)
            resolved = self.resolve(path)
            found = self._dirs[path] = resolved is not None and os.path.isdir(resolved)
        return found

    def require(self, path: str) -> None:
        """An InputError unless the entry file `path` exists (on disk, or as an unsaved buffer)."""
        if not os.path.exists(path) and self.rel(path) not in self.overlay:
            raise InputError("no such file", self.rel(path))

    def stat_dir(self, rel: str) -> os.stat_result | None:
        """The owner and mode of a root-relative directory as the tree holds it; None when it is
        missing, not a directory, or leaves the root."""
        resolved = self.resolve(join(self.path, rel))
        try:
            info = os.stat(resolved) if resolved is not None else None
        except OSError:
            return None
        return info if info is not None and stat.S_ISDIR(info.st_mode) else None

    def lexists(self, rel: str) -> bool:
        """Whether anything is at the root-relative `rel` as written: a file, a directory, or a
        symlink even when it dangles."""
        found = self._lexists.get(rel)
        if found is None:
            found = self._lexists[rel] = os.path.lexists(os.path.join(self.path, rel))
        return found

    def find_file(self, rel: str, suffix: str, depth: int, budget: int) -> str | None:
        """A file named `*suffix` within `depth` directory levels below the root-relative directory
        `rel` (relative to it), breadth first and by name, reading at most about `budget` entries
        (the live / may hold a large /var/www); hidden and symlinked directories are not entered."""
        top = self.resolve(join(self.path, rel))
        level = [(top, "")] if top is not None else []
        for _ in range(depth + 1):
            below = []
            for directory, prefix in level:
                try:
                    entries = sorted(os.scandir(directory), key=lambda e: e.name)
                except OSError:
                    continue
                budget -= len(entries)
                for entry in entries:
                    if entry.name.endswith(suffix) and entry.is_file():
                        return prefix + entry.name
                    if entry.is_dir(follow_symlinks=False) and not entry.name.startswith("."):
                        below.append((entry.path, f"{prefix}{entry.name}/"))
                if budget <= 0:
                    return None
            level = below
        return None

    def rel(self, path: str) -> str:
        """`path` relative to the root, POSIX style, as findings show it."""
        rel = self._rel.get(path)
        if rel is None:
            rel = self._rel[path] = self._relative(path)
        return rel

    def _relative(self, path: str) -> str:
        for full, base in ((os.path.abspath(path), self._abs), (None, self.real)):
            full = full or self.realpath(path)
            if full == base:
                return "."
            if full.startswith(base.rstrip(os.sep) + os.sep):
                return full[len(base.rstrip(os.sep)) + 1:].replace(os.sep, "/")
        return path

    def canonical(self, path: str) -> str:
        """`path` with symlinks resolved when the target stays inside the root (edits go there)."""
        return self.resolve(path) or path

    def glob(self, pattern: str, keep_outside: bool = False) -> list[str]:
        """Paths matching a glob pattern, sorted like nginx and php-fpm do, inside the root.

        The directory part without wildcards is resolved in the root first, so that a
        symlinked directory is listed as the tree means it, never the host's.
        """
        key = (pattern, keep_outside)
        if key not in self._globs:  # nginx and FPM may glob the same directory (pool.d): list it once
            parts = parts_below(os.path.abspath(pattern), "/") or []
            fixed = next((i for i, part in enumerate(parts) if glob.has_magic(part)), len(parts))
            base = self.resolve("/" + "/".join(parts[:fixed]))
            if base is not None and fixed < len(parts):
                self._require_listable(base)
            found = sorted(glob.glob(os.path.join(base, *parts[fixed:]))) if base is not None else []
            self._globs[key] = [p for p in found if keep_outside or self.contains(p)]
        return list(self._globs[key])

    def _require_listable(self, directory: str) -> None:
        """A directory a glob lists must be readable: 0 matches from an unreadable pool.d is no pass."""
        try:
            os.listdir(directory)
        except PermissionError as exc:
            raise InputError(f"cannot read directory: {exc.strerror or exc}", self.rel(directory)) from None
        except OSError:  # missing, not a directory, a name too long: the glob matches nothing
            pass

    def read_optional(self, rel: str) -> str | None:
        """The text of an optional root-relative file (etc/passwd, a Dockerfile): None when it is
        not there or cannot be read."""
        path = join(self.path, rel)
        if rel not in self.overlay and not os.path.isfile(path):
            return None
        try:
            return self.read_text(path)
        except InputError:
            return None

    def read_text(self, path: str, keep: bool = True) -> str:
        """The text of a config file, or an InputError saying why it cannot be linted. `keep=False`
        for a text read to be parsed once: not kept for the run (read again if asked for)."""
        cached = self._texts.get(path)
        if cached is not None:
            return cached
        rel = self.rel(path)
        if rel in self.overlay:
            self.read_files[rel] = None
            return self.overlay[rel]
        resolved = self.resolve(path)
        if resolved is None:
            raise InputError("refusing to read a file outside the linted root (symlink?)", rel)
        try:
            info = os.stat(resolved)
            if stat.S_ISDIR(info.st_mode):
                raise InputError("is a directory, expected a file", rel)
            if not stat.S_ISREG(info.st_mode):  # a fifo or device would block or never end
                raise InputError("not a regular file", rel)
            if info.st_size > MAX_FILE_BYTES:
                raise InputError(f"file too large ({info.st_size} bytes, limit {MAX_FILE_BYTES})", rel)
            kept = self.cache.text(resolved, info) if self.cache is not None else None
            if kept is not None:
                return self._keep(path, rel, kept[0], kept[1], keep)
            with open(resolved, "rb") as fh:
                data = fh.read()
        except IsADirectoryError:
            raise InputError("is a directory, expected a file", rel) from None
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror or exc}", rel) from None
        text, bom = decode_config(data, rel), data.startswith(b"\xef\xbb\xbf")
        if self.cache is not None:
            self.cache.keep_text(resolved, info, text, bom)
        return self._keep(path, rel, text, bom, keep)

    def _keep(self, path: str, rel: str, text: str, bom: bool, keep: bool) -> str:
        if bom:
            self.boms.add(rel)
        if keep:
            self._texts[path] = text
        self.read_files[rel] = None
        return text


def decode_config(data: bytes, rel: str) -> str:
    """The text of a config file, without a BOM; a NUL byte (binary input) is an InputError.

    nginx and php-fpm read bytes: a Latin-1 `é` in a comment is accepted by both. Bytes that are
    not UTF-8 decode to lone surrogates (`surrogateescape`), so that writing the text back with
    the same error handler gives the same bytes.
    """
    if b"\0" in data:
        line = data[: data.index(b"\0")].count(b"\n") + 1
        raise InputError("binary file (NUL byte), not a config", rel, line)
    text = data.decode("utf-8", "surrogateescape")
    return text[1:] if text.startswith("\ufeff") else text


_ABSENT = frozenset({errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP})


def stat_mode(path: str) -> int | None:
    """The st_mode of `path` (symlinks followed), None when nothing is there. Any other error (a
    name too long, a permission) raises OSError, as pathlib's exists() does: unlike os.path.exists,
    it is not taken for "missing"."""
    try:
        return os.stat(path).st_mode
    except OSError as exc:
        if exc.errno in _ABSENT:
            return None
        raise


def clean(path: str) -> str:
    """`path` spelled as pathlib would: no empty or "." components, no trailing slash; ".." kept
    (only the file system knows where it leads once symlinks are involved)."""
    spelled = ("/" if path.startswith("/") else "") + "/".join(components(path))
    return spelled or "."


def path_order(path: str) -> list[str]:
    """A sort key ordering paths component by component, as pathlib does (`a/b` before `a/b.d`)."""
    return path.split("/")


def join(base: str, name: str) -> str:
    """`name` under the directory `base`; `base` itself when `name` is empty (no trailing slash)."""
    return os.path.join(base, name) if name else base


def parts_below(path: str, base: str) -> list[str] | None:
    """The components of `path` below the directory `base`, or None when `path` is not `base` or
    below it."""
    prefix = base if base.endswith("/") else base + "/"
    if path != base and not path.startswith(prefix):
        return None
    return components(path[len(prefix):])


def components(path: str) -> list[str]:
    """The names in `path`, without empty and "." ones (`a//./b/` -> a, b)."""
    return [part for part in path.split("/") if part not in ("", ".")]
