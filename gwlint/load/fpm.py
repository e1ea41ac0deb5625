"""PHP-FPM installs: main config, included pool files, pools, and the php.ini chain they read."""

import os
import re
from collections.abc import Sequence

from gwlint.load.fsroot import Root
from gwlint.load.ini import IniFile, Section, Setting, parse_ini
from gwlint.load.template import TemplateFile
from gwlint.model.endpoint import Endpoint, parse_fpm_listen

GLOBAL = "global"


class Pool:
    """One `[name]` pool, merged over every place its section is opened; last assignment wins."""

    __slots__ = ("header", "install", "name", "overridden", "settings")

    def __init__(self, name: str, install: "FpmInstall", header: Section):
        self.name = name
        self.install = install
        self.header = header
        self.settings: dict[str, Setting] = {}  # the assignment in effect of each key
        self.overridden: dict[str, tuple[Setting, ...]] = {}  # earlier assignments of a key set again

    @property
    def history(self) -> dict[str, tuple[Setting, ...]]:
        """Every assignment of each key, in order."""
        return {key: self.assignments(key) for key in self.settings}

    def assignments(self, key: str) -> tuple[Setting, ...]:
        """Every assignment of `key`, in order (the last one is in effect); () when never set."""
        setting = self.settings.get(key)
        return () if setting is None else (*self.overridden.get(key, ()), setting)

    @property
    def path(self) -> str:
        return self.header.path

    @property
    def line(self) -> int:
        return self.header.line

    def get(self, key: str) -> Setting | None:
        return self.settings.get(key)

    def value(self, key: str, default: str | None = None) -> str | None:
        setting = self.settings.get(key)
        return setting.value if setting else default

    @property
    def listen(self) -> Endpoint | None:
        setting = self.settings.get("listen")
        return parse_fpm_listen(setting.value) if setting else None

    @property
    def endpoint(self) -> Endpoint:
        """`listen` for a pool known to have one (a backend's pools, pools filtered on listen)."""
        listen = self.listen
        assert listen is not None, f"pool {self.name} has no listen"
        return listen

    def php_ini(self, key: str) -> Setting | None:
        """The effective PHP ini setting: php_admin_* over php_value/php_flag over php.ini."""
        for kind in ("php_admin_value", "php_admin_flag", "php_value", "php_flag"):
            setting = self.settings.get(f"{kind}[{key}]")
            if setting is not None:
                return setting
        return self.install.php_ini.get(key)


class FpmInstall:
    """One php-fpm: its main config (None for loose pool files), pools and php.ini chain."""

    __slots__ = ("conf", "files", "global_settings", "marked_files", "php_ini", "php_ini_files", "pools", "templates")

    def __init__(self, conf: str | None):
        self.conf = conf
        self.global_settings: dict[str, Setting] = {}
        self.pools: list[Pool] = []
        self.files: list[str] = []
        self.php_ini_files: list[str] = []
        self.php_ini: dict[str, Setting] = {}
        self.templates: list[TemplateFile] = []  # files not read: unrendered templates
        self.marked_files: set[str] = set()  # files holding `gwlint:` (suppressions read only these again)

    @property
    def php_version(self) -> str | None:
        """The PHP version the install's paths name (`etc/php/8.2/fpm`, Alpine's `etc/php81`,
        `php-fpm5.6`), else None (RHEL's /etc/php-fpm.conf and docker images do not say)."""
        for rel in (self.conf, *self.files, *self.php_ini_files):
            version = php_version_in(rel) if rel else None
            if version:
                return version
        return None

    @property
    def version(self) -> tuple[int, int] | None:
        """php_version as numbers: (7, 4) for etc/php/7.4/fpm."""
        version = self.php_version
        return (int(version.split(".")[0]), int(version.split(".")[1])) if version else None


_VERSION_IN_PATH = re.compile(r"(?:^|/)php/?(\d)\.?(\d+)/|php-?fpm(\d)\.(\d+)")


def php_version_in(rel: str) -> str | None:
    """"8.2" for `etc/php/8.2/fpm/...`, `etc/php82/...` or `php-fpm8.2`; None when the path names none."""
    m = _VERSION_IN_PATH.search(rel)
    if m is None:
        return None
    major, minor = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
    return f"{major}.{minor}"


def _prefix_for(conf: str) -> str:
    """php-fpm's prefix, against which a relative `include=` resolves (/usr/local for docker)."""
    parent = os.path.dirname(conf)
    return os.path.dirname(parent) if os.path.basename(parent) == "etc" else parent


def load_install(root: Root, conf: str | None, pool_files: Sequence[str] = ()) -> FpmInstall:
    """Read a main config (following `include=`) or a list of loose pool files into an install."""
    install = FpmInstall(root.rel(conf) if conf else None)
    entries: list[tuple[IniFile, str | None]] = []  # file and the section it continues
    if conf is not None:
        _read_with_includes(root, conf, _prefix_for(conf), None, entries, set(), install)
    for path in pool_files:
        _read_with_includes(root, path, os.path.dirname(path), None, entries, set(), install)
    pools: dict[str, Pool] = {}
    for ini, inherited_section in entries:
        install.files.append(ini.path)
        headers = {s.line: s for s in ini.sections}
        for setting in ini.settings:
            section = setting.section if setting.section is not None else inherited_section
            if section is None or section == GLOBAL:
                install.global_settings[setting.key] = setting
                continue
            pool = pools.get(section)
            if pool is None:
                header = _header_for(ini, section) or Section(section, ini.path, setting.line)
                pool = pools[section] = Pool(section, install, header)
            if "$pool" in setting.value:
                setting = Setting(setting.section, setting.key, setting.value.replace("$pool", section),
                                  setting.path, setting.line)
            earlier = pool.settings.get(setting.key)
            if earlier is not None:  # (rare: a history for every key took ~17 MB on 10k pools)
                pool.overridden[setting.key] = (*pool.overridden.get(setting.key, ()), earlier)
            pool.settings[setting.key] = setting
        for header in headers.values():  # a pool opened with no settings still exists
            if header.name != GLOBAL and header.name not in pools:
                pools[header.name] = Pool(header.name, install, header)
    install.pools = list(pools.values())
    return install


def _header_for(ini: IniFile, name: str) -> Section | None:
    return next((s for s in ini.sections if s.name == name), None)


def _read_with_includes(root: Root, path: str, prefix: str, section: str | None,
                        out: list, seen: set, install: FpmInstall) -> None:
    """Parse `path`, then the files its `include=` lines name, in php-fpm's order."""
    path = root.canonical(path)
    if path in seen:
        return
    seen.add(path)
    ini = _parse(root, path, install)
    if ini is None:
        return
    out.append((ini, section))
    for setting in ini.settings:
        if setting.key == "include":
            here = setting.section if setting.section is not None else section
            pattern = root.map_config_path(setting.value, prefix)
            for included in root.glob(pattern):
                if root.is_file(included):
                    _read_with_includes(root, included, prefix, here, out, seen, install)


def php_ini_chain(root: Root, conf_dir: str) -> list[str]:
    """The php.ini and scan-dir *.ini files an FPM in `conf_dir` reads, in the order it reads them."""
    for base in (conf_dir, os.path.join(conf_dir, "php")):
        ini = os.path.join(base, "php.ini")
        scan_dirs = [d for d in (os.path.join(base, "conf.d"), os.path.join(base, "php.d")) if root.is_dir(d)]
        if root.is_file(ini) or scan_dirs:
            chain = [ini] if root.is_file(ini) else []
            for scan in scan_dirs[:1]:
                chain += [p for p in root.glob(os.path.join(scan, "*.ini")) if root.is_file(p)]
            return chain
    return []


def load_php_ini(root: Root, install: FpmInstall, chain: list[str]) -> None:
    """Effective php.ini values for an install: later files and later lines win."""
    for path in chain:
        path = root.canonical(path)  # a conf.d link reports (and is edited) at its target
        ini = _parse(root, path, install)
        if ini is None:
            continue
        install.php_ini_files.append(ini.path)
        for setting in ini.settings:
            install.php_ini[setting.key] = setting


def _parse(root: Root, path: str, install: FpmInstall) -> IniFile | None:
    """The parsed file, or None for an unrendered template (added to the install's templates).
    Its text is not kept (~7 MB on 10,000 pools): fixes read it again, suppressions when marked."""
    text, rel = root.read_text(path, keep=False), root.rel(path)
    try:
        ini = root.cache.ini(text, rel) if root.cache else parse_ini(text, rel)
    except TemplateFile as exc:
        install.templates.append(exc)
        return None
    if "gwlint:" in text:
        install.marked_files.add(rel)
    return ini
