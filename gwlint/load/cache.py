"""A content-hash cache of parsed files under ROOT/.gwlint_cache/, like ruff's (for ROOT `/`,
or a system directory, under the user's cache directory instead; a single file linted with
--context gets none).

What is cached is the small per-file result of parsing (an nginx file's Directive tree and
comments, an INI file's sections and settings), as plain tuples in one marshal file, keyed by
the file's root-relative path and a BLAKE2 hash of its text (each entry marshalled on its own,
so that loading the cache costs little memory until an entry is used); the whole cache is invalidated by
another gwlint version, Python version or cache format. Include expansion, the model and the
rules always run. A cache that cannot be read (corrupt, truncated, foreign) is ignored and
rewritten; one that cannot be written (read-only tree) is skipped silently.
"""

import glob
import marshal
import os
import sys
import time

from gwlint import __version__
from gwlint.digest import blake2b
from gwlint.load.ini import IniFile, Section, Setting, parse_ini
from gwlint.load.nginx import Block, Directive, ParsedFile, parse_text, unquoted

DIR_NAME = ".gwlint_cache"
FORMAT = 2
_KEY = f"gwlint {__version__} format {FORMAT} python {sys.version_info[0]}.{sys.version_info[1]}"


class ParseCache:
    """Parsed-file facts by path and content hash, loaded once and saved once per run."""

    keeps_results = False  # each parse or decode is new: the caller may take its objects over

    def __init__(self, directory: str):
        self.directory = directory
        self.path = os.path.join(directory, "parsed.marshal")
        self._old = self._load()
        self._new: dict[str, tuple] = {}
        self.hits = self.misses = 0

    def _load(self) -> dict:
        try:
            with open(self.path, "rb") as fh:
                data = marshal.load(fh)
        except (OSError, EOFError, ValueError, TypeError):
            return {}
        if not isinstance(data, tuple) or len(data) != 2 or data[0] != _KEY or not isinstance(data[1], dict):
            return {}
        return data[1]

    def _lookup(self, kind: str, text: str, rel: str, parse, encode, decode):
        digest = blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
        entry = self._old.get(rel)
        if entry is not None and entry[0] == kind and entry[1] == digest:
            try:
                result = decode(marshal.loads(entry[2]), rel)
            except Exception:  # a damaged entry is a miss, never an error
                pass
            else:
                self._new[rel] = entry
                self.hits += 1
                return result
        result = parse(text, rel)
        self._new[rel] = (kind, digest, marshal.dumps(encode(result)))
        self.misses += 1
        return result

    def nginx(self, text: str, rel: str) -> ParsedFile:
        """parse_text(text, rel), from the cache when this file's text was parsed before."""
        return self._lookup("nginx", text, rel, parse_text, _encode_nginx, _decode_nginx)

    def ini(self, text: str, rel: str) -> IniFile:
        """parse_ini(text, rel), from the cache when this file's text was parsed before."""
        return self._lookup("ini", text, rel, parse_ini, _encode_ini, _decode_ini)

    def text(self, path: str, info: os.stat_result) -> tuple[str, bool] | None:
        """A file's text kept from an earlier run (MemoryCache only): this cache keeps none."""
        return None

    def keep_text(self, path: str, info: os.stat_result, text: str, bom: bool) -> None:
        """Keep a file's text for a later run (MemoryCache only)."""

    def path_memos(self, root: str, path_map: list) -> "PathMemos | None":
        """A root's path facts kept from an earlier run (MemoryCache only): this cache keeps none."""
        return None

    def save(self) -> None:
        """Write the entries this run used, when anything changed; never fails the run."""
        if not self.misses and len(self._new) == len(self._old):
            return
        import tempfile  # (~4 ms of imports, with random: only when the cache changed)

        try:
            os.makedirs(self.directory, exist_ok=True)
            tag = os.path.join(self.directory, "CACHEDIR.TAG")
            if not os.path.exists(tag):
                _write(tag, "Signature: 8a477f597d28d172789f06886806bc55\n# gwlint parse cache\n")
                _write(os.path.join(self.directory, ".gitignore"), "*\n")
            fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".parsed.")
            try:
                with os.fdopen(fd, "wb") as fh:
                    marshal.dump((_KEY, self._new), fh)
                os.replace(tmp, self.path)
            except BaseException:
                os.unlink(tmp)
                raise
        except OSError:
            pass


def _write(path: str, text: str) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)


class PathMemos:
    """A Root's memos of path facts (realpath, root-relative name, resolution, glob matches)."""

    __slots__ = ("_dirs", "globs", "mapped", "real", "rel", "resolved")

    def __init__(self) -> None:
        self.real: dict[str, str] = {}
        self.rel: dict[str, str] = {}
        self.resolved: dict[str, str | None] = {}
        self.globs: dict[tuple[str, bool], list[str]] = {}
        self.mapped: dict[tuple[str, str], str] = {}  # (config path, base) -> path under the root
        self._dirs: tuple[tuple[int, int, int], set[str]] | None = None

    def directories(self) -> set[str]:
        """Every directory whose entries these facts depend on: the parents (up to /) of each
        path resolved, and each directory a glob listed (computed again when facts were added)."""
        sizes = (len(self.resolved), len(self.real), len(self.globs))
        if self._dirs is None or self._dirs[0] != sizes:
            self._dirs = sizes, self._directories()
        return self._dirs[1]

    def _directories(self) -> set[str]:
        out: set[str] = set()
        for key in [*self.resolved, *self.real, *(pattern for pattern, _ in self.globs)]:
            head = os.path.dirname(os.path.abspath(key))
            while head not in out:
                out.add(head)
                parent = os.path.dirname(head)
                if parent == head:
                    break
                head = parent
        return out


class MemoryCache(ParseCache):
    """The cache of a long-lived process (`gwlint server`): parsed files, file texts and path facts
    kept in memory from one run of a root to the next, so that a re-lint after an edit re-parses
    the changed file only.

    - A parsed file is reused while its text is the same (an editor buffer or the disk copy).
    - A file read from disk is re-read only when its stat (mtime, ctime, size, inode) changed.
    - Path facts (symlinks resolved, glob matches) are kept while no directory they depend on
      changed its entries (its mtime): a file added, removed or renamed anywhere they looked
      drops them all. A glob with a wildcard in a directory part is listed again on every run.
    - The on-disk cache (`disk`) serves the first run, and is written once.
    Include expansion, the model and the rules still run on every run.
    """

    keeps_results = True  # the same parsed files serve later runs: callers must not change them

    def __init__(self, disk: ParseCache | None = None):
        self.disk = disk
        self._parsed: dict[tuple[str, str], tuple[str, object]] = {}
        self._texts: dict[str, tuple[tuple, str, bool]] = {}
        self._memos: dict[tuple, tuple[PathMemos, dict[str, int | None] | None]] = {}
        self.hits = self.misses = 0

    def _lookup(self, kind: str, text: str, rel: str, parse, encode=None, decode=None):
        entry = self._parsed.get((kind, rel))
        if entry is not None and (entry[0] is text or entry[0] == text):
            self.hits += 1
            return entry[1]
        result = getattr(self.disk, kind)(text, rel) if self.disk is not None else parse(text, rel)
        self.misses += 1
        self._parsed[(kind, rel)] = (text, result)
        return result

    def text(self, path: str, info: os.stat_result) -> tuple[str, bool] | None:
        entry = self._texts.get(path)
        if entry is not None and entry[0] == _stat_key(info):
            return entry[1], entry[2]
        return None

    def keep_text(self, path: str, info: os.stat_result, text: str, bom: bool) -> None:
        if _settled(info.st_mtime_ns, info.st_ctime_ns):
            self._texts[path] = (_stat_key(info), text, bom)

    def path_memos(self, root: str, path_map: list) -> PathMemos:
        key = (os.path.abspath(root), tuple(path_map))
        kept = self._memos.get(key)
        if kept is not None and kept[1] is not None and all(_dir_mtime(d) == m for d, m in kept[1].items()):
            memos = kept[0]
            kept_globs = {k: v for k, v in memos.globs.items() if not glob.has_magic(os.path.dirname(k[0]))}
            if len(kept_globs) != len(memos.globs):
                memos.globs = kept_globs
        else:
            memos = PathMemos()
        self._memos[key] = (memos, None)  # valid again once save() has noted what it depends on
        return memos

    def save(self) -> None:
        """Note what the path facts depend on; write the on-disk cache after the first run."""
        for key, (memos, _) in self._memos.items():
            mtimes = {d: _dir_mtime(d) for d in memos.directories()}
            self._memos[key] = (memos, mtimes if _settled(*(m or 0 for m in mtimes.values())) else None)
        if self.disk is not None:
            self.disk.save()
            self.disk = None


SETTLE_NS = 2_000_000_000  # a change this recent may have happened while the run read: keep nothing


def _settled(*mtimes: int) -> bool:
    """True when every mtime is older than SETTLE_NS: a later change will show as a new mtime
    (a change within the file system's clock tick of an earlier one would not)."""
    return max(mtimes, default=0) < time.time_ns() - SETTLE_NS


def _stat_key(info: os.stat_result) -> tuple:
    return info.st_mtime_ns, info.st_ctime_ns, info.st_size, info.st_ino


def _dir_mtime(path: str) -> int | None:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return None


# a root inside one of these is the system's own config, not a working copy: gwlint writes nothing there
SYSTEM_DIRS = ("/etc", "/usr", "/var", "/lib", "/lib64", "/bin", "/sbin", "/boot", "/run", "/proc", "/sys", "/dev")


def _in_git_work_tree(path: str) -> bool:
    while True:
        if os.path.exists(os.path.join(path, ".git")):
            return True
        parent = os.path.dirname(path)
        if parent == path:
            return False
        path = parent


def open_cache(root: str) -> ParseCache:
    """The cache of `root`: ROOT/.gwlint_cache/ in a working copy (git ignores it by its own
    .gitignore); the user's cache dir when ROOT is `/` or a system directory such as /etc/nginx
    (a checkout there, inside a git work tree, counts as a working copy)."""
    real = os.path.realpath(root)
    system = real == os.sep or ((real.startswith(tuple(d + os.sep for d in SYSTEM_DIRS)) or real in SYSTEM_DIRS) \
        and not _in_git_work_tree(real))
    if system:  # linting the live system: leave it alone
        base = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "gwlint")
        if real == os.sep:
            return ParseCache(os.path.join(base, "system"))
        return ParseCache(os.path.join(base, "system-" + blake2b(real.encode(), digest_size=8).hexdigest()))
    return ParseCache(os.path.join(root, DIR_NAME))


def _encode_directives(nodes: list[Directive]) -> tuple:
    return tuple((d.name, tuple(d.args), tuple(d.quoted), d.line, d.end_line,
                  None if d.block is None else _encode_directives(d.block)) for d in nodes)


def _decode_directives(nodes: tuple, rel: str) -> list[Directive]:
    return [Directive(name, list(args), rel, line, end_line, None, _flags(quoted)) if children is None else
            Block(name, list(args), rel, line, end_line, None, _flags(quoted), None, _decode_directives(children, rel))
            for name, args, quoted, line, end_line, children in nodes]


def _flags(quoted: tuple) -> list[bool]:
    return list(quoted) if True in quoted else unquoted(len(quoted))


def _encode_nginx(parsed: ParsedFile) -> tuple:
    return _encode_directives(parsed.directives), tuple(parsed.comments), tuple(parsed.crowded_lines)


def _decode_nginx(payload: tuple, rel: str) -> ParsedFile:
    directives, comments, crowded = payload
    return ParsedFile(rel, _decode_directives(directives, rel), [tuple(c) for c in comments], frozenset(crowded))


def _encode_ini(ini: IniFile) -> tuple:
    return (tuple((s.name, s.line) for s in ini.sections),
            tuple((s.section, s.key, s.value, s.line) for s in ini.settings))


def _decode_ini(payload: tuple, rel: str) -> IniFile:
    sections, settings = payload
    return IniFile(rel, [Section(name, rel, line) for name, line in sections],
                   [Setting(section, key, value, rel, line) for section, key, value, line in settings])
