"""Find what a root holds: nginx entry files, FPM main configs, loose pool dirs, php.ini chains."""

import os
from dataclasses import dataclass, field
from pathlib import Path

from gwlint.load.fsroot import Root
from gwlint.load.template import template_suffix

SKIP_DIRS = frozenset({".git", ".hg", ".svn", ".venv", "node_modules", "__pycache__", ".gwlint_cache"})
POOL_DIR_NAMES = frozenset({"pool.d", "php-fpm.d"})
COMPOSE_NAMES = frozenset({"docker-compose.yml", "docker-compose.yaml", "compose.yml", "compose.yaml"})
PM2_NAMES = frozenset({"ecosystem.config.js", "ecosystem.config.cjs", "ecosystem.json", "ecosystem.config.json"})


@dataclass
class Discovery:
    nginx_entries: list[Path] = field(default_factory=list)
    fpm_confs: list[Path] = field(default_factory=list)
    pool_dirs: list[Path] = field(default_factory=list)  # used only when no main config includes them
    backend_files: list[Path] = field(default_factory=list)  # docker-compose and PM2 files (gwlint.model.backends)
    templates: list[Path] = field(default_factory=list)  # config templates: reported, not linted


def discover(root: Root) -> Discovery:
    """Walk the root once (symlinked dirs are not followed) and collect the config entry points.

    A `php-fpm.conf` inside an nginx config dir is nginx's (RHEL's conf.d/php-fpm.conf holds
    `upstream php-fpm`), not an FPM main config.
    """
    found = Discovery()
    nginx_dirs: list[Path] = []
    for dirpath, dirnames, filenames in _walk(root.path):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        here = Path(dirpath)
        names = set(filenames)
        if "nginx.conf" in names:
            found.nginx_entries.append(here / "nginx.conf")
            nginx_dirs.append(here)
        if "php-fpm.conf" in names and not any(here.is_relative_to(d) for d in nginx_dirs):
            found.fpm_confs.append(here / "php-fpm.conf")
        if here.name in POOL_DIR_NAMES and any(n.endswith(".conf") for n in names):
            found.pool_dirs.append(here)
        found.backend_files += [here / n for n in sorted(names & (COMPOSE_NAMES | PM2_NAMES))]
        found.templates += [here / n for n in sorted(names) if _config_template(here, n)]
    found.nginx_entries.sort()
    found.fpm_confs.sort()
    found.pool_dirs.sort()
    return found


# On the running system (ROOT /) the configs live here on every layout (Debian, RHEL, Alpine, the
# php:*-fpm images); walking all of / would read /proc, /usr and every home directory.
SYSTEM_CONFIG_DIRS = ("etc", "usr/local/etc")


def _walk(top: Path):
    if os.path.realpath(top) != "/":
        yield from os.walk(top)
        return
    for sub in SYSTEM_CONFIG_DIRS:
        yield from os.walk(top / sub)


def _config_template(here: Path, name: str) -> bool:
    """A template of an nginx or PHP config: `default.conf.template` in the nginx image's
    /etc/nginx/templates, `www.conf.j2`, `php.ini.tmpl`..."""
    suffix = template_suffix(name)
    if suffix is None:
        return False
    stem = name[: -len(suffix)]
    return here.name == "templates" or stem.endswith((".conf", ".ini")) or stem in ("nginx", "php-fpm", "php")


def default_path_map(root: Root, nginx_entries: list[Path]) -> dict[str, str]:
    """An nginx config dir kept elsewhere than etc/nginx (the root itself, or `nginx/` in a compose
    repo) stands for /etc/nginx, so absolute includes resolve inside it."""
    if len(nginx_entries) != 1 or (root.path / "etc" / "nginx").is_dir():
        return {}
    conf_dir = nginx_entries[0].parent
    return {"/etc/nginx": root.rel(conf_dir) or "."}
