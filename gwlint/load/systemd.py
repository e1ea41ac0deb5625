"""systemd service units under the root: the unit file and its drop-ins, last assignment wins."""

import os
import re

from gwlint.errors import InputError
from gwlint.load.ini import Setting

# highest priority first, as systemd looks them up
UNIT_DIRS = ("etc/systemd/system", "run/systemd/system", "usr/lib/systemd/system", "lib/systemd/system")
FPM_UNIT = re.compile(r"php[^@]*fpm[^@]*\.service")
NGINX_UNIT = re.compile(r"nginx\.service")
TRUE = frozenset({"1", "yes", "true", "on"})


def unit_names(root, pattern: re.Pattern) -> list[str]:
    """Service units under the root whose name matches `pattern` (masked units left out)."""
    names: set[str] = set()
    for directory in UNIT_DIRS:
        local = root.path / directory
        if local.is_dir():
            names.update(name for name in os.listdir(local) if pattern.fullmatch(name))
    return sorted(name for name in names if unit_files(root, name))


def unit_files(root, name: str) -> list:
    """The unit file systemd uses for `name`, then its drop-ins in the order applied; [] if masked."""
    main = next((root.path / d / name for d in UNIT_DIRS if (root.path / d / name).exists()), None)
    if main is None or os.path.realpath(main) == "/dev/null" or not root.contains(main):
        return []
    dropins = {}
    for directory in reversed(UNIT_DIRS):  # a higher-priority drop-in of the same name wins
        local = root.path / directory / f"{name}.d"
        if local.is_dir():
            dropins.update({p.name: p for p in local.glob("*.conf") if root.contains(p)})
    return [main] + [dropins[n] for n in sorted(dropins)]


def setting(root, name: str, section: str, key: str) -> Setting | None:
    """The effective `key=` of `[section]` in unit `name`; an empty assignment resets it (None)."""
    found = settings(root, name, section, key)
    return found[-1] if found else None


def settings(root, name: str, section: str, key: str) -> list[Setting]:
    """Every effective `key=` of `[section]` in unit `name`, in order (list-valued keys such as
    ExecStartPost accumulate); an empty assignment resets the list."""
    found: list[Setting] = []
    for path in unit_files(root, name):
        try:
            text = root.read_text(path)
        except InputError:
            continue
        current = None
        for number, raw in enumerate(text.splitlines(), 1):
            line = raw.strip()
            if not line or line[0] in "#;":
                continue
            if line.startswith("[") and line.endswith("]"):
                current = line[1:-1]
            elif current == section and "=" in line:
                k, _, v = line.partition("=")
                if k.strip() == key:
                    found = found + [Setting(section, key, v.strip(), root.rel(path), number)] if v.strip() else []
    return found


def is_true(value: Setting | None) -> bool:
    return value is not None and value.value.lower() in TRUE


def fpm_units_for(root, install) -> list[str]:
    """The php-fpm units that start `install`: those whose ExecStart names its config, else all."""
    names = unit_names(root, FPM_UNIT)
    if install.conf is not None:
        mine = [n for n in names if (start := setting(root, n, "Service", "ExecStart"))
                and f"/{install.conf}" in start.value]
        if mine:
            return mine
    return names


def in_tmp(path: str) -> bool:
    return path.startswith(("/tmp/", "/var/tmp/"))
