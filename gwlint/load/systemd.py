"""systemd service units under the root, read once, as systemd reads them.

For each unit name the file in the highest-priority directory wins (/etc > /run > /usr/lib and
/lib); a unit linked to /dev/null is masked. Drop-ins `NAME.service.d/*.conf` from every
directory apply after it in file-name order, a higher-priority drop-in replacing a same-named
lower one. Lines ending in a backslash continue on the next line.
"""

import os
import re

from gwlint.errors import InputError
from gwlint.load.ini import Setting
from gwlint.records import Record

# highest priority first, as systemd looks them up
UNIT_DIRS = ("etc/systemd/system", "run/systemd/system", "usr/lib/systemd/system", "lib/systemd/system")
# unit names, as patterns compiled on first use (a tree without units never needs them)
FPM_UNIT = r"php[^@]*fpm[^@]*\.service"
NGINX_UNIT = r"nginx\.service"
TRUE = frozenset({"1", "yes", "true", "on"})


class Unit(Record):
    """One service unit: the files systemd reads for it and every assignment in them, in order."""

    __slots__ = ("files", "name", "settings")

    def __init__(self, name: str, files: tuple[str, ...], settings: tuple[Setting, ...]) -> None:
        self.name = name
        self.files = files  # root-relative: the unit file, then its drop-ins in the order applied
        self.settings = settings

    def all(self, section: str, key: str) -> list[Setting]:
        """Every assignment of a list-valued key (Environment=, ExecStart=); an empty one resets."""
        found: list[Setting] = []
        for s in self.settings:
            if s.section == section and s.key == key:
                found = found + [s] if s.value else []
        return found

    def get(self, section: str, key: str) -> Setting | None:
        """The effective (last) assignment of `key`; an empty assignment resets it (None)."""
        found = self.all(section, key)
        return found[-1] if found else None

    def is_true(self, section: str, key: str) -> Setting | None:
        """The assignment that turns a boolean on, or None when it is off or unset."""
        setting = self.get(section, key)
        return setting if setting is not None and setting.value.lower() in TRUE else None


class Units:
    """The service units of a root, by name."""

    def __init__(self, units: dict[str, Unit] | None = None):
        self.by_name = dict(sorted((units or {}).items()))

    def __iter__(self):
        return iter(self.by_name.values())

    def named(self, pattern: str) -> list[Unit]:
        """The units whose whole name matches `pattern` (FPM_UNIT, NGINX_UNIT)."""
        return [u for name, u in self.by_name.items() if re.fullmatch(pattern, name)]

    @property
    def nginx(self) -> list[Unit]:
        return self.named(NGINX_UNIT)

    def fpm_for(self, install) -> list[Unit]:
        """The php-fpm units that start `install`: those whose ExecStart names its config, else all."""
        units = self.named(FPM_UNIT)
        if install.conf is not None:
            mine = [u for u in units if (start := u.get("Service", "ExecStart")) and f"/{install.conf}" in start.value]
            if mine:
                return mine
        return units


def load_units(root) -> Units:
    """Every *.service unit under the root's unit directories (masked ones left out)."""
    names: set[str] = set()
    for directory in UNIT_DIRS:
        local = os.path.join(root.path, directory)
        if os.path.isdir(local):
            names.update(n for n in os.listdir(local) if n.endswith(".service"))
    units = {}
    for name in names:
        files = unit_files(root, name)
        if files:
            units[name] = Unit(name, tuple(root.rel(p) for p in files),
                               tuple(s for path in files for s in _settings(root, path)))
    return Units(units)


def unit_files(root, name: str) -> list:
    """The unit file systemd uses for `name`, then its drop-ins in the order applied; [] if masked."""
    places = (os.path.join(root.path, directory, name) for directory in UNIT_DIRS)
    main = next((path for path in places if os.path.exists(path)), None)
    if main is None or os.path.realpath(main) == "/dev/null" or not root.contains(main) or not root.is_file(main):
        return []
    dropins = {}
    for directory in reversed(UNIT_DIRS):  # a higher-priority drop-in of the same name wins
        local = os.path.join(root.path, directory, f"{name}.d")
        if os.path.isdir(local):
            paths = (os.path.join(local, n) for n in os.listdir(local) if n.endswith(".conf"))
            dropins.update({os.path.basename(p): p for p in paths if root.contains(p)})
    return [main] + [dropins[n] for n in sorted(dropins)]


def _settings(root, path) -> list[Setting]:
    try:
        text = root.read_text(path)
    except InputError:
        return []  # an unreadable unit declares nothing: skipped, never guessed
    rel = root.rel(path)
    out, section, pending, start = [], None, "", 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not pending and (not line or line[0] in "#;"):
            continue
        if line.endswith("\\"):
            pending, start = pending + line[:-1].rstrip() + " ", start or number
            continue
        line, first = pending + line, start or number
        pending, start = "", 0
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
        elif "=" in line:
            key, _, value = line.partition("=")
            out.append(Setting(section, key.strip(), value.strip(), rel, first))
    return out
