"""Rule discovery: every module in gwlint.rules with CODE, NAME, SEVERITY, a docstring and check(),
and the rules of installed plugins (entry-point group `gwlint.rules`), validated the same way.

A plugin's entry point names a rule module, or a package whose public modules are rules. Its
codes are 2-5 capital letters and 3 digits; `GW` is reserved for gwlint's own rules.
"""

import os
import re
import sys
from collections.abc import Callable
from types import ModuleType

from gwlint.engine.finding import Severity
from gwlint.errors import RuleError
from gwlint.records import Record

__all__ = ["DOC_SECTIONS", "ENTRY_POINTS", "Rule", "RuleError", "load_rules", "plugin_rules"]

ENTRY_POINTS = "gwlint.rules"
DOC_SECTIONS = ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Fix", "## References")




class Rule(Record):
    __slots__ = ("check", "code", "doc", "module", "name", "options", "plugin", "severity")

    def __init__(self, code: str, name: str, severity: Severity, check: Callable, doc: str, module: str,
                 options: type | None = None, plugin: str | None = None) -> None:
        self.code = code
        self.name = name
        self.severity = severity
        self.check = check
        self.doc = doc
        self.module = module
        self.options = options  # the module's OPTIONS class: set under [tool.gwlint.rules.<name>]
        self.plugin = plugin  # the distribution a plugin rule comes from; None: built in

    @property
    def summary(self) -> str:
        return self.doc.strip().splitlines()[0]

    @property
    def fixable(self) -> bool:
        return "## Fix\nNone" not in self.doc and "\n## Fix\n" in self.doc


def _validate(module: ModuleType, plugin: str | None = None) -> Rule:
    name = module.__name__
    for attr in ("CODE", "NAME", "SEVERITY", "check"):
        if not hasattr(module, attr):
            raise RuleError(f"rule module {name} has no {attr}")
    if plugin is None and not _is_builtin_code(module.CODE):
        raise RuleError(f"rule module {name}: CODE {module.CODE!r} is not GWnnn")
    if plugin is not None and (not re.fullmatch(r"[A-Z]{2,5}\d{3}", module.CODE) or module.CODE.startswith("GW")):
        raise RuleError(f"rule module {name}: CODE {module.CODE!r} is not 2-5 capital letters and 3 digits "
                        "outside GW (GW is reserved for gwlint's built-in rules)")
    if not _is_kebab(module.NAME):
        raise RuleError(f"rule module {name}: NAME {module.NAME!r} is not kebab-case")
    if not isinstance(module.SEVERITY, Severity):
        raise RuleError(f"rule module {name}: SEVERITY is not a Severity")
    doc = module.__doc__ or ""
    positions = [doc.find(section) for section in DOC_SECTIONS]
    if -1 in positions or positions != sorted(positions) or not doc.strip() or doc.strip().startswith("#"):
        raise RuleError(f"rule module {name}: the docstring needs a summary line, then the sections "
                        f"{', '.join(s[3:] for s in DOC_SECTIONS)} in this order")
    opts = getattr(module, "OPTIONS", None)
    if opts is not None:
        from gwlint.engine.options import problems  # (only a rule with OPTIONS needs it)

        wrong = problems(opts)
        if wrong:
            raise RuleError(f"rule module {name}: {'; '.join(wrong)}")
    return Rule(module.CODE, module.NAME, module.SEVERITY, module.check, doc, name, opts, plugin)


def _is_builtin_code(code: str) -> bool:
    """`GW[1-9]\\d\\d` (string tests: compiling the patterns cost ~1 M instructions of every run)."""
    return len(code) == 5 and code.startswith("GW") and code[2] in "123456789" and code[3:].isdecimal()


_KEBAB_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")


def _is_kebab(name: str) -> bool:
    """`[a-z0-9]+(-[a-z0-9]+)*`: those characters, no `-` first, last or twice in a row."""
    return name[:1] not in ("", "-") and name[-1] != "-" and "--" not in name and _KEBAB_CHARS.issuperset(name)


def load_rules() -> list[Rule]:
    """All built-in and plugin rules, sorted by code; duplicate codes or names are an error."""
    import gwlint.rules as package

    rules = [_validate(module) for module in _modules(package)]
    rules += plugin_rules()
    seen: dict[str, str] = {}
    for rule in rules:
        for key in (rule.code, rule.name):
            if key in seen:
                raise RuleError(f"{key} is defined by both {seen[key]} and {rule.module}")
            seen[key] = rule.module
    return sorted(rules, key=lambda r: r.code)


def _modules(package: ModuleType) -> list[ModuleType]:
    """A package's public modules (not starting with `_`), imported."""
    return [_import(f"{package.__name__}.{name}") for name in _module_names(package)]


def _import(name: str) -> ModuleType:
    """importlib.import_module(name) for an absolute name, without importing importlib (~1 M instructions)."""
    __import__(name)
    return sys.modules[name]


def _module_names(package: ModuleType) -> list[str]:
    """The names pkgutil.iter_modules lists. gwlint's own rules are .py files in one directory:
    a listdir does (pkgutil costs ~1 ms of start-up); plugin packages go through pkgutil."""
    if package.__name__ == "gwlint.rules":
        names: dict[str, None] = {}  # per directory in order, each sorted: as pkgutil lists them
        for path in package.__path__:
            names.update((n[:-3], None) for n in sorted(os.listdir(path)) if n.endswith(".py") and n[0] != "_")
        return list(names)
    import pkgutil

    return [info.name for info in pkgutil.iter_modules(package.__path__) if not info.name.startswith("_")]


def plugin_rules() -> list[Rule]:
    """The rules of installed plugins: every entry point of the group `gwlint.rules`.

    RuleError names the plugin when one cannot be imported or breaks the rule contract.
    """
    if not _declared_anywhere():
        return []
    from importlib.metadata import entry_points  # ~10 ms of imports: only when a plugin is installed

    rules = []
    for ep in sorted(entry_points(group=ENTRY_POINTS), key=lambda e: (e.name, e.value)):
        dist = ep.dist.name if ep.dist is not None else ep.value
        where = f"rule plugin {ep.name!r} ({ep.value}, from {dist})"
        try:
            loaded = ep.load()
        except Exception as exc:
            raise RuleError(f"{where} cannot be imported: {type(exc).__name__}: {exc}") from None
        if not isinstance(loaded, ModuleType):
            raise RuleError(f"{where}: the entry point must name a module or a package of rule modules")
        modules = [loaded] if hasattr(loaded, "CODE") or not hasattr(loaded, "__path__") else _modules(loaded)
        for module in modules:
            try:
                rules.append(_validate(module, dist))
            except RuleError as exc:
                raise RuleError(f"{where}: {exc}") from None
    return rules


def _declared_anywhere() -> bool:
    """Whether a distribution on sys.path declares `gwlint.rules` entry points: a quick scan of
    the dist-info/egg-info directories, so that runs without plugins skip importlib.metadata."""
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            if name.endswith((".dist-info", ".egg-info")):
                try:
                    with open(os.path.join(entry or ".", name, "entry_points.txt"), "rb") as fh:
                        if ENTRY_POINTS.encode() in fh.read():
                            return True
                except OSError:
                    continue
    return False
