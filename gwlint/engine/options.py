"""Per-rule options: declared by the rule, set under `[tool.gwlint.rules.<rule-name>]`.

A rule declares its options next to its code, as a frozen dataclass whose every field has a
default and one line of doc, and reads them through `ws.options_for(NAME)`:

    @dataclass(frozen=True)
    class Options:
        budget: int | None = option(None, 'memory all PHP-FPM pools may use ("2G"); unset: off')

    OPTIONS = Options

    def check(ws):
        budget = ws.options_for(NAME).budget

Field names are kebab-case in the config (`max_size` -> `max-size`); sizes may be written "2G".
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from gwlint.errors import InputError

if TYPE_CHECKING:  # typing costs ~3 ms of start-up: imported where hints are read
    from collections.abc import Callable
    from typing import Any

_DOC = "doc"


def option(default: Any, doc: str) -> Any:
    """A rule option's field: its default and one line of doc (what `gwlint rule CODE` prints)."""
    if isinstance(default, (list, dict, set)):
        raise TypeError("a rule option's default must be immutable (use a tuple)")
    return dataclasses.field(default=default, metadata={_DOC: doc})


def problems(cls: Any) -> list[str]:
    """What is wrong with an OPTIONS declaration (empty when it keeps the contract)."""
    if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
        return ["OPTIONS is not a dataclass"]
    if not cls.__dataclass_params__.frozen:  # type: ignore[attr-defined]
        return ["OPTIONS is not frozen (@dataclass(frozen=True))"]
    out = []
    for f in dataclasses.fields(cls):
        doc = f.metadata.get(_DOC, "")
        if f.default is dataclasses.MISSING:
            out.append(f"option {f.name} has no default (use option(default, doc))")
        if not isinstance(doc, str) or not doc.strip() or "\n" in doc.strip():
            out.append(f"option {f.name} has no one-line doc (use option(default, doc))")
    return out


def key(name: str) -> str:
    return name.replace("_", "-")


def fields(cls: Any) -> dict[str, tuple[Any, Any, str]]:
    """The options of a rule by config key: (type, default, doc)."""
    import typing

    hints = typing.get_type_hints(cls)
    return {key(f.name): (hints[f.name], f.default, f.metadata.get(_DOC, "")) for f in dataclasses.fields(cls)}


def build(cls: Any, table: Any, fail: Callable[[str, str], InputError]) -> dict[str, Any]:
    """Validate a `[rules.<name>]` table against the rule's OPTIONS: field name -> converted value.

    `fail(key, message)` makes the error (naming the config file and the key).
    """
    from gwlint.engine.config import _option
    from gwlint.model.suggest import nearest_name

    if not isinstance(table, dict):
        raise fail("", "expected a table of option = value")
    known = fields(cls)
    out = {}
    for name, value in table.items():
        if name not in known:
            hint = nearest_name(name, list(known))
            raise fail(f".{name}", "unknown option" + (f"; did you mean '{hint}'?" if hint else
                                                       f"; options: {', '.join(known)}"))
        out[name.replace("-", "_")] = _option(value, known[name][0], lambda m, n=name: fail(f".{n}", m))
    try:
        cls(**out)
    except (TypeError, ValueError) as exc:
        raise fail("", f"bad option: {exc}") from None
    return out


def describe(cls: Any, name: str) -> str:
    """The "## Options" section of `gwlint rule CODE`: where to set them, one line per option."""
    lines = ["## Options", f"Set under `[tool.gwlint.rules.{name}]` in pyproject.toml, or `[rules.{name}]` "
             "in .gwlint.toml:"]
    for option_key, (hint, default, doc) in fields(cls).items():
        shown = "unset" if default is None else repr(default).lower() if isinstance(default, bool) else repr(default)
        lines.append(f"- `{option_key}` ({_type_name(hint)}, default {shown}): {doc}")
    return "\n".join(lines) + "\n"


def _type_name(hint: Any) -> str:
    import typing

    args = [a for a in typing.get_args(hint) if a is not type(None)] or [hint]
    return " or ".join(getattr(a, "__name__", str(a)) for a in args)
