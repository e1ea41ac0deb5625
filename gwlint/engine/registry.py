"""Rule discovery: every module in gwlint.rules with CODE, NAME, SEVERITY, a docstring and check()."""

import importlib
import pkgutil
import re
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

from gwlint.engine.finding import Severity

_CODE = re.compile(r"GW[1-9]\d\d")
_NAME = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
DOC_SECTIONS = ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Fix", "## References")


class RuleError(Exception):
    """A rule module that breaks the contract: a bug in gwlint or a plug-in, not in the config."""


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    check: Callable
    doc: str
    module: str

    @property
    def summary(self) -> str:
        return self.doc.strip().splitlines()[0]

    @property
    def fixable(self) -> bool:
        return "## Fix\nNone" not in self.doc and "\n## Fix\n" in self.doc


def _validate(module: ModuleType) -> Rule:
    name = module.__name__
    for attr in ("CODE", "NAME", "SEVERITY", "check"):
        if not hasattr(module, attr):
            raise RuleError(f"rule module {name} has no {attr}")
    if not _CODE.fullmatch(module.CODE):
        raise RuleError(f"rule module {name}: CODE {module.CODE!r} is not GWnnn")
    if not _NAME.fullmatch(module.NAME):
        raise RuleError(f"rule module {name}: NAME {module.NAME!r} is not kebab-case")
    if not isinstance(module.SEVERITY, Severity):
        raise RuleError(f"rule module {name}: SEVERITY is not a Severity")
    return Rule(module.CODE, module.NAME, module.SEVERITY, module.check, module.__doc__ or "", name)


def load_rules() -> list[Rule]:
    """All built-in rules, sorted by code; duplicate codes or names are an error."""
    import gwlint.rules as package

    rules = [_validate(importlib.import_module(f"{package.__name__}.{info.name}"))
             for info in pkgutil.iter_modules(package.__path__) if not info.name.startswith("_")]
    seen: dict[str, str] = {}
    for rule in rules:
        for key in (rule.code, rule.name):
            if key in seen:
                raise RuleError(f"{key} is defined by both {seen[key]} and {rule.module}")
            seen[key] = rule.module
    return sorted(rules, key=lambda r: r.code)
