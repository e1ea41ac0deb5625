"""Find what a root holds: nginx entry files, FPM main configs, loose pool dirs, php.ini chains.

A root laid out like `/` (it holds `etc/nginx`, `etc/php*` or `usr/local/etc/php-fpm*`) is read as
the services read it: the known entry files only, never a walk (the live `/` holds /proc, /usr,
/home...). Any other root (an nginx config dir, a compose project) is small and is walked.
"""

import glob
import os

from gwlint.errors import InputError
from gwlint.load.fsroot import Root, parts_below, path_order
from gwlint.load.template import template_suffix
from gwlint.records import Record

SKIP_DIRS = frozenset({".git", ".hg", ".svn", ".venv", "node_modules", "__pycache__", ".gwlint_cache"})
POOL_DIR_NAMES = frozenset({"pool.d", "php-fpm.d"})
COMPOSE_NAMES = frozenset({"docker-compose.yml", "docker-compose.yaml", "compose.yml", "compose.yaml"})
PM2_NAMES = frozenset({"ecosystem.config.js", "ecosystem.config.cjs", "ecosystem.json", "ecosystem.config.json"})

# where distributions and images keep them, under a root laid out like /
NGINX_ENTRIES = ("etc/nginx/nginx.conf", "usr/local/etc/nginx/nginx.conf")
FPM_CONFS = ("etc/php/*/fpm/php-fpm.conf",          # Debian, Ubuntu (one per PHP version)
             "etc/php-fpm.conf",                     # RHEL, Fedora
             "etc/php*/php-fpm.conf",                # Alpine (etc/php82), Arch (etc/php)
             "etc/opt/remi/php*/php-fpm.conf",       # Remi's software collections
             "usr/local/etc/php-fpm.conf")           # docker php:*-fpm images, FreeBSD
POOL_DIRS = ("etc/php/*/fpm/pool.d", "etc/php-fpm.d", "etc/php*/php-fpm.d", "etc/opt/remi/php*/php-fpm.d",
             "usr/local/etc/php-fpm.d")
UNIT_DIRS = ("etc/systemd/system", "run/systemd/system", "lib/systemd/system", "usr/lib/systemd/system")
LOOKED_FOR = ("etc/nginx/nginx.conf, etc/php/*/fpm/php-fpm.conf, etc/php-fpm.conf, etc/php*/php-fpm.conf, "
              "usr/local/etc/php-fpm.conf and their pool dirs, an nginx.conf or compose file at the top "
              "of a directory, and such trees in subdirectories")


class Discovery(Record):
    __slots__ = ("backend_files", "fpm_confs", "nginx_entries", "pool_dirs", "system", "templates")

    def __init__(self, nginx_entries: list[str] | None = None, fpm_confs: list[str] | None = None,
                 pool_dirs: list[str] | None = None, backend_files: list[str] | None = None,
                 templates: list[str] | None = None, system: bool = False) -> None:
        self.nginx_entries = [] if nginx_entries is None else nginx_entries
        self.fpm_confs = [] if fpm_confs is None else fpm_confs
        self.pool_dirs = [] if pool_dirs is None else pool_dirs  # used only when no main config includes them
        # docker-compose and PM2 files (gwlint.model.backends)
        self.backend_files = [] if backend_files is None else backend_files
        self.templates = [] if templates is None else templates  # config templates: reported, not linted
        self.system = system  # the root is laid out like / (targeted reads, no walk)

    @property
    def empty(self) -> bool:
        return not (self.nginx_entries or self.fpm_confs or self.pool_dirs)


def is_system_layout(path: str) -> bool:
    """True when `path` is laid out like `/`: it holds etc/nginx, etc/php*, or usr/local/etc/php-fpm*."""
    etc = os.path.join(path, "etc")
    if os.path.isdir(os.path.join(etc, "nginx")):
        return True
    for base in (etc, os.path.join(path, "usr/local/etc")):
        try:
            names = os.listdir(base)
        except OSError:
            continue
        prefix = "php-fpm" if base != etc else "php"
        if any(n.startswith(prefix) for n in names):
            return True
    return False


def discover(root: Root) -> Discovery:
    """The entry points of a root: targeted for a root laid out like `/`, else one walk."""
    if is_system_layout(root.path):
        return _discover_system(root)
    return _discover_walk(root)


def _existing(root: Root, patterns, want_dir: bool) -> list[str]:
    found = []
    for pattern in patterns:
        for path in sorted(glob.glob(os.path.join(root.path, pattern))):
            if root.contains(path) and (os.path.isdir(path) if want_dir else os.path.isfile(path)):
                found.append(path)
    return list(dict.fromkeys(found))


def _discover_system(root: Root) -> Discovery:
    """What the services of a `/`-like root read: entry files at their known places, the unit dirs,
    and the compose and PM2 files those units name. Nothing else is listed or opened."""
    _require_readable(root, os.path.join(root.path, "etc/nginx"))
    found = Discovery(system=True)
    found.nginx_entries = _existing(root, NGINX_ENTRIES, want_dir=False)
    found.fpm_confs = _existing(root, FPM_CONFS, want_dir=False)
    found.pool_dirs = _existing(root, POOL_DIRS, want_dir=True)
    for directory in found.pool_dirs:
        _require_readable(root, directory)
    # templates in the config dirs (the nginx image renders etc/nginx/templates/*.template at start)
    etc = os.path.join(root.path, "etc")
    bases = [os.path.join(etc, "nginx"), os.path.join(root.path, "usr/local/etc/nginx")]
    bases += [os.path.dirname(p) for p in found.fpm_confs if os.path.dirname(p) != etc] + found.pool_dirs
    for base in dict.fromkeys(bases):
        for here, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
            found.templates += [os.path.join(here, n) for n in sorted(filenames) if _config_template(here, n)]
    found.templates = list(dict.fromkeys(found.templates))
    top = _names(root.path)
    found.backend_files = [os.path.join(root.path, n) for n in sorted(top & (COMPOSE_NAMES | PM2_NAMES))]
    found.backend_files += [p for p in _unit_backend_files(root) if p not in found.backend_files]
    return found


def _require_readable(root: Root, directory: str) -> None:
    """A config dir the services read must be listable: gwlint never passes what it could not read."""
    if not os.path.isdir(directory):
        return
    try:
        os.listdir(directory)
    except PermissionError as exc:
        raise InputError(f"cannot read directory: {exc.strerror or exc}", root.rel(directory)) from None


def _names(directory: str) -> set[str]:
    try:
        return set(os.listdir(directory))
    except OSError:
        return set()


def _unit_backend_files(root: Root) -> list[str]:
    """Compose and PM2 files that systemd units start: `-f FILE`, a file argument, or the compose or
    PM2 file in the unit's WorkingDirectory= when it runs `docker compose`/`pm2`."""
    out: list[str] = []
    for unit_dir in UNIT_DIRS:
        base = os.path.join(root.path, unit_dir)
        for unit in sorted(_names(base)):
            if not unit.endswith(".service"):
                continue
            dropins = os.path.join(base, f"{unit}.d")
            files = [os.path.join(base, unit)] + [os.path.join(dropins, n) for n in sorted(_names(dropins))
                                                  if n.endswith(".conf")]
            workdir, commands = None, []
            for path in files:
                if not root.is_file(path):
                    continue
                try:
                    text = root.read_text(path)
                except InputError:
                    continue
                for line in text.splitlines():
                    key, _, value = line.strip().partition("=")
                    if key == "WorkingDirectory" and value.strip():
                        workdir = value.strip().lstrip("-")
                    elif key.startswith("ExecStart") and value.strip():
                        commands.append(value.strip().lstrip("-@:+!"))
            for command in commands:
                out += _named_by(root, command, workdir)
    return out


def _named_by(root: Root, command: str, workdir: str | None) -> list[str]:
    import shlex

    try:
        words = shlex.split(command)
    except ValueError:
        words = command.split()
    base = root.map_config_path(workdir, root.path) if workdir and workdir.startswith("/") else None
    named = []
    for word in words:
        word = word.split("=", 1)[1] if word.startswith("--file=") else word
        if os.path.basename(word) in COMPOSE_NAMES | PM2_NAMES:
            if word.startswith("/"):
                named.append(root.map_config_path(word, root.path))
            elif base is not None:
                named.append(os.path.join(base, word))
    runs = " ".join(os.path.basename(w) for w in words)
    if not named and base is not None and ("compose" in runs or "pm2" in runs):
        names = _names(base) & (COMPOSE_NAMES if "compose" in runs else PM2_NAMES)
        named = [os.path.join(base, n) for n in sorted(names)]
    return [p for p in named if root.is_file(p)]


def _discover_walk(root: Root) -> Discovery:
    """Walk a small root once (symlinked dirs are not followed) and collect the entry points.

    A `php-fpm.conf` inside an nginx config dir is nginx's (RHEL's conf.d/php-fpm.conf holds
    `upstream php-fpm`), not an FPM main config.
    """
    found = Discovery()
    nginx_dirs: list[str] = []
    for here, dirnames, filenames in _walk(root.path):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        names = set(filenames)
        if "nginx.conf" in names:
            found.nginx_entries.append(os.path.join(here, "nginx.conf"))
            nginx_dirs.append(here)
        if "php-fpm.conf" in names and not any(parts_below(here, d) is not None for d in nginx_dirs):
            found.fpm_confs.append(os.path.join(here, "php-fpm.conf"))
        if os.path.basename(here) in POOL_DIR_NAMES and any(n.endswith(".conf") for n in names):
            found.pool_dirs.append(here)
        found.backend_files += [os.path.join(here, n) for n in sorted(names & (COMPOSE_NAMES | PM2_NAMES))]
        found.templates += [os.path.join(here, n) for n in sorted(names) if _config_template(here, n)]
    found.nginx_entries.sort(key=path_order)
    found.fpm_confs.sort(key=path_order)
    found.pool_dirs.sort(key=path_order)
    return found


# On the running system (ROOT /) the configs live here on every layout (Debian, RHEL, Alpine, the
# php:*-fpm images); walking all of / would read /proc, /usr and every home directory.
SYSTEM_CONFIG_DIRS = ("etc", "usr/local/etc")


def _walk(top: str):
    if os.path.realpath(top) != "/":
        yield from os.walk(top)
        return
    for sub in SYSTEM_CONFIG_DIRS:
        yield from os.walk(os.path.join(top, sub))


def _config_template(here: str, name: str) -> bool:
    """A template of an nginx or PHP config: `default.conf.template` in the nginx image's
    /etc/nginx/templates, `www.conf.j2`, `php.ini.tmpl`..."""
    suffix = template_suffix(name)
    if suffix is None:
        return False
    stem = name[: -len(suffix)]
    return os.path.basename(here) == "templates" or stem.endswith((".conf", ".ini")) or \
        stem in ("nginx", "php-fpm", "php")


def default_path_map(root: Root, nginx_entries: list[str]) -> dict[str, str]:
    """An nginx config dir kept elsewhere than etc/nginx (the root itself, or `nginx/` in a compose
    repo) stands for /etc/nginx, so absolute includes resolve inside it."""
    if len(nginx_entries) != 1 or os.path.isdir(os.path.join(root.path, "etc/nginx")):
        return {}
    conf_dir = os.path.dirname(nginx_entries[0])
    return {"/etc/nginx": root.rel(conf_dir) or "."}
