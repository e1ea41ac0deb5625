"""Project configuration: `[tool.gwlint]` in pyproject.toml or a `.gwlint.toml`, found upward from ROOT.

    [tool.gwlint]
    select = ["GW3"]                 # codes or prefixes; default: every rule
    ignore = ["GW303"]
    exclude = ["etc/nginx/sites-available/legacy-*"]   # report nothing there (still read)
    fail-on = "warning"              # lowest severity that fails the run (exit 1)
    nginx-user = "www-data"          # any gwlint.model.workspace.Options field, kebab-case
    [tool.gwlint.rules.fpm-memory-over-budget]   # a rule's own options (its OPTIONS), by rule name
    budget = "4G"
    [tool.gwlint.severity]
    GW303 = "info"
    [tool.gwlint.per-file-ignores]
    "etc/nginx/sites-available/legacy-*" = ["GW301"]
    [tool.gwlint.paths]
    "/etc/nginx" = "nginx"

Every error names the file and key, with a "did you mean" when a near key exists.
"""

import fnmatch
import os
import re

from gwlint.engine.finding import Severity
from gwlint.errors import InputError
from gwlint.model.suggest import nearest_name
from gwlint.records import Record

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~3 ms of start-up)
if TYPE_CHECKING:
    from typing import Any

FILE_NAMES = (".gwlint.toml", "pyproject.toml")
KEYS = ("select", "extend-select", "ignore", "extend-ignore", "exclude", "extend-exclude", "fail-on", "severity",
        "per-file-ignores", "paths", "rules")
# top-level keys (and flags) of options that moved to their rule: key -> (rule name, option)
ALIASES = {"memory-budget": ("fpm-memory-over-budget", "budget"),
           "strict-backends": ("proxy-target-undeclared", "enabled")}
_PREFIX = r"[A-Z]{2,5}\d{0,3}"  # a code or a prefix of codes: GW3, GW30, EX101 (compiled on first use)
SEVERITIES = tuple(s.value for s in Severity)


class Config(Record):
    """Validated settings; `options` holds Options fields (snake_case) set by the file or flags."""

    __slots__ = ("exclude", "fail_on", "ignore", "options", "path", "paths", "per_file_ignores", "rule_options",
                 "select", "severity")

    def __init__(self, path: str | None = None, select: list[str] | None = None, ignore: list[str] | None = None,
                 exclude: list[str] | None = None, fail_on: Severity = Severity.INFO,
                 severity: dict[str, Severity] | None = None, per_file_ignores: dict[str, list[str]] | None = None,
                 paths: dict[str, str] | None = None, options: dict[str, "Any"] | None = None,
                 rule_options: dict[str, dict[str, "Any"]] | None = None) -> None:
        self.path = path
        self.select = [] if select is None else select
        self.ignore = [] if ignore is None else ignore
        self.exclude = [] if exclude is None else exclude
        self.fail_on = fail_on
        self.severity = {} if severity is None else severity
        self.per_file_ignores = {} if per_file_ignores is None else per_file_ignores
        self.paths = {} if paths is None else paths
        self.options = {} if options is None else options
        self.rule_options = {} if rule_options is None else rule_options  # rule name -> option values

    def selects(self, code: str) -> bool:
        """Whether `code` is selected: the longest matching select/ignore prefix decides."""
        chosen = _longest(code, self.select) if self.select else ""
        if chosen is None:
            return False
        ignored = _longest(code, self.ignore)
        return ignored is None or len(ignored) < len(chosen)

    def ignored_in(self, code: str, path: str) -> bool:
        """Whether `path` is excluded or a per-file-ignores glob (root-relative) drops `code` there."""
        if self.exclude and path and self.excluded(path):
            return True
        return any(_longest(code, codes) is not None
                   for pattern, codes in self.per_file_ignores.items() if fnmatch.fnmatchcase(path, pattern))

    def excluded(self, path: str) -> bool:
        """Whether an `exclude` glob matches `path` or one of its directories."""
        parts = path.split("/")
        return any(fnmatch.fnmatchcase("/".join(parts[:i]), pattern)
                   for pattern in self.exclude for i in range(len(parts), 0, -1))

    def severity_of(self, code: str, default: Severity) -> Severity:
        return self.severity.get(code, default)

    def fails(self, severity: Severity) -> bool:
        return severity.rank >= self.fail_on.rank

    def options_for(self, rule) -> "Any":
        """A rule's OPTIONS instance as configured (None for a rule without options)."""
        if rule.options is None:
            return None
        from gwlint.engine.options import instance

        return instance(rule.options, self.rule_options.get(rule.name, {}))

    def model_options(self):
        """A gwlint.model.workspace.Options with the configured fields set."""
        from gwlint.model.workspace import Options

        try:
            return Options(**self.options)
        except (TypeError, ValueError) as exc:
            raise InputError(f"bad rule option: {exc}", self.path) from None


def _longest(code: str, prefixes: list[str]) -> str | None:
    matching = [p for p in prefixes if code.startswith(p)]
    return max(matching, key=len) if matching else None


def find(root: str) -> str | None:
    """The nearest .gwlint.toml, or pyproject.toml with a [tool.gwlint] table, from ROOT upward."""
    here = os.path.realpath(root)
    while True:
        for name in FILE_NAMES:
            candidate = os.path.join(here, name)
            if os.path.isfile(candidate) and (name != "pyproject.toml" or _declares_gwlint(candidate)):
                return candidate
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


def _declares_gwlint(pyproject: str) -> bool:
    with open(pyproject, "rb") as fh:
        return b"[tool.gwlint" in fh.read()


def load(path: str | os.PathLike | None, known_codes: list[str], overrides: dict | None = None, rules=None) -> Config:
    """Read and validate a config file (None: the defaults); `overrides` (command-line flags) win."""
    cfg = Config()
    if path is not None:
        import tomllib

        path = os.fspath(path)
        try:
            with open(path, encoding="utf-8") as fh:
                data = tomllib.loads(fh.read())
        except OSError as exc:
            raise InputError(f"cannot read config: {exc.strerror or exc}", str(path)) from None
        except tomllib.TOMLDecodeError as exc:
            raise InputError(f"invalid TOML: {exc}", str(path)) from None
        is_pyproject = os.path.basename(path) == "pyproject.toml"
        table = data.get("tool", {}).get("gwlint", {}) if is_pyproject else data
        cfg = from_dict(table, known_codes, str(path), "[tool.gwlint] " if is_pyproject else "", rules)
    return with_overrides(cfg, overrides, known_codes, rules) if overrides else cfg


def with_overrides(cfg: Config, overrides: dict, known_codes: list[str], rules=None) -> Config:
    """`cfg` with command-line flags (kebab-case keys) applied over it, as ruff's: --select starts a
    new selection, --ignore and the extend-* flags add."""
    flags = from_dict(overrides, known_codes, None, "--", rules)
    cfg = Config(cfg.path, list(cfg.select), list(cfg.ignore), list(cfg.exclude), cfg.fail_on, dict(cfg.severity),
                 dict(cfg.per_file_ignores), dict(cfg.paths), dict(cfg.options),
                 {name: dict(values) for name, values in cfg.rule_options.items()})
    if "select" in overrides:
        cfg.select, cfg.ignore = flags.select, []
    if "exclude" in overrides:
        cfg.exclude = list(flags.exclude)
    _extend(cfg, overrides, known_codes, None, "--")
    cfg.ignore += [c for c in flags.ignore if c not in cfg.ignore]
    if "fail-on" in overrides:
        cfg.fail_on = flags.fail_on
    cfg.options.update(flags.options)
    for name, values in flags.rule_options.items():
        cfg.rule_options.setdefault(name, {}).update(values)
    return cfg


def _extend(cfg: Config, table: dict, known_codes: list[str], path: str | None, where: str) -> None:
    """Apply `extend-select`, `extend-ignore` and `extend-exclude` of `table` to `cfg`."""
    def fail(key: str):
        return lambda m: InputError(f"{where}{key}: {m}", path)

    if "extend-select" in table and cfg.select:  # an empty selection already runs everything
        cfg.select += _codes(table["extend-select"], known_codes, fail("extend-select"))
    if "extend-ignore" in table:
        cfg.ignore += _codes(table["extend-ignore"], known_codes, fail("extend-ignore"))
    if "extend-exclude" in table:
        cfg.exclude += _globs(table["extend-exclude"], fail("extend-exclude"))


def option_fields() -> "dict[str, Any]":
    """Options fields by their kebab-case config key, with their type (from the annotations)."""
    import typing

    from gwlint.model.workspace import Options

    hints = typing.get_type_hints(Options.__init__)
    del hints["return"]
    return {name.replace("_", "-"): hint for name, hint in hints.items()}


def from_dict(table: dict, known_codes: list[str], path: str | None = None, where: str = "",
              rules=None) -> Config:
    """Validate a [tool.gwlint] table against the known rule codes, Options fields and the rules'
    own OPTIONS (`rules`: the rules run; default: every installed rule).

    Errors read `<path>: <where><key>: message`; `where` is "[tool.gwlint] " or "--" for flags.
    """
    cfg = Config(path=path)
    opts = option_fields()

    def fail(key: str, message: str) -> InputError:
        return InputError(f"{where}{key}: {message}", path)

    for key, value in table.items():
        if key in ("select", "ignore"):
            setattr(cfg, key, _codes(value, known_codes, lambda m, k=key: fail(k, m)))
        elif key == "exclude":
            cfg.exclude = _globs(value, lambda m, k=key: fail(k, m))
        elif key in ("extend-select", "extend-ignore", "extend-exclude"):
            pass  # applied once the whole table is read (_extend)
        elif key == "fail-on":
            cfg.fail_on = _severity(value, lambda m, k=key: fail(k, m))
        elif key == "severity":
            _require(isinstance(value, dict), fail(key, "expected a table of CODE = severity"))
            for code, level in value.items():
                _codes([code], known_codes, lambda m, c=code: fail(f"severity.{c}", m), prefixes=False)
                cfg.severity[code.strip().upper()] = _severity(level, lambda m, c=code: fail(f"severity.{c}", m))
        elif key == "per-file-ignores":
            _require(isinstance(value, dict), fail(key, "expected a table of \"glob\" = [codes]"))
            for pattern, codes in value.items():
                cfg.per_file_ignores[pattern] = _codes(codes, known_codes,
                                                       lambda m, p=pattern: fail(f"per-file-ignores.{p!r}", m))
        elif key == "paths":
            _require(isinstance(value, dict) and all(isinstance(v, str) for v in value.values()),
                     fail(key, 'expected a table of "/config/path" = "dir/under/root"'))
            for prefix in value:
                _require(prefix.startswith("/"), fail(f"paths.{prefix!r}", "config paths are absolute (/etc/nginx)"))
            cfg.paths = dict(value)
        elif key == "rules":
            _require(isinstance(value, dict), fail(key, "expected tables [rules.<rule-name>] of options"))
            for name, table_ in value.items():
                _rule_options(cfg, name, table_, rules, lambda k, m, n=name: fail(f"rules.{n}{k}", m))
        elif key in ALIASES:
            name, option = ALIASES[key]
            _rule_options(cfg, name, {option: value}, rules, lambda k, m, key=key: fail(key, m))
        elif key in opts:
            cfg.options[key.replace("-", "_")] = _option(value, opts[key], lambda m, k=key: fail(k, m))
        else:
            hint = nearest_name(key, [*KEYS, *opts, *ALIASES])
            raise fail(key, "unknown key" + (f"; did you mean '{hint}'?" if hint else
                                             f"; known keys: {', '.join([*KEYS, *opts])}"))
    if where != "--":
        _extend(cfg, table, known_codes, path, where)
    return cfg


def _rule_options(cfg: Config, name: str, table, rules, fail) -> None:
    """Validate `[rules.<name>]` against that rule's OPTIONS into cfg.rule_options."""
    from gwlint.engine import options

    if rules is None:
        from gwlint.engine.registry import load_rules

        rules = load_rules()
    by_name = {r.name: r for r in rules}
    rule = by_name.get(name)
    if rule is None:
        by_code = {r.code: r.name for r in rules}
        hint = by_code.get(name.upper()) or nearest_name(name, list(by_name))
        raise fail("", "unknown rule" + (f"; did you mean '{hint}'?" if hint else "; see `gwlint rules`"))
    if rule.options is None:
        raise fail("", f"{rule.code} has no options")
    cfg.rule_options.setdefault(name, {}).update(options.build(rule.options, table, fail))


def _require(ok: bool, error: InputError) -> None:
    if not ok:
        raise error


def _globs(value, fail) -> list[str]:
    _require(isinstance(value, list) and all(isinstance(v, str) for v in value),
             fail('expected a list of root-relative globs, e.g. ["etc/nginx/sites-available/legacy-*"]'))
    return [v.strip("/") for v in value]


def _codes(value, known: list[str], fail, prefixes: bool = True) -> list[str]:
    """A list of rule codes (or prefixes of codes), in any case, that each match a known code."""
    _require(isinstance(value, list) and all(isinstance(v, str) for v in value),
             fail('expected a list of codes, e.g. ["GW301", "GW3"]'))
    value = [v.strip().upper() for v in value]
    for code in value:
        ok = any(k.startswith(code) for k in known) if prefixes and re.fullmatch(_PREFIX, code) else code in known
        if not ok:
            hint = nearest_name(code, known)
            raise fail(f"unknown rule code {code!r}" + (f"; did you mean '{hint}'?" if hint else ""))
    return list(value)


def _severity(value, fail) -> Severity:
    if value not in SEVERITIES:
        hint = nearest_name(str(value), list(SEVERITIES))
        raise fail(f"{value!r} is not a severity ({', '.join(SEVERITIES)})"
                   + (f"; did you mean '{hint}'?" if hint else ""))
    return Severity(value)


def _option(value, hint, fail):
    """A TOML value for an Options field, converted to the field's type (`int | None`: a size too)."""
    import types
    import typing

    union = typing.get_origin(hint) in (typing.Union, types.UnionType)
    kinds = [k for k in (typing.get_args(hint) if union else (hint,)) if k is not type(None)]
    bases = [typing.get_origin(k) or k for k in kinds]
    if bool in bases:
        _require(isinstance(value, bool), fail("expected true or false"))
        return value
    if int in bases and isinstance(value, int) and not isinstance(value, bool):
        return value
    if int in bases and isinstance(value, str) and str not in bases:
        from gwlint.load.units import size_bytes

        converted = size_bytes(value)
        _require(converted is not None, fail(f"{value!r} is not a number or size (512M, 2G)"))
        return converted
    if str in bases and isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value)
    if any(isinstance(value, b) for b in bases if isinstance(b, type)):
        return value
    raise fail(f"expected {' or '.join(getattr(b, '__name__', str(b)) for b in bases)}, got {type(value).__name__}")
