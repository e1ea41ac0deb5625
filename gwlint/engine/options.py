"""Per-rule options: declared by the rule, set under `[tool.gwlint.rules.<rule-name>]`.

A rule declares its options next to its code, as a class whose every field is annotated and set
with `option(default, doc)` (one line of doc), and reads them through `ws.options_for(NAME)`:

    class Options:
        budget: int | None = option(None, 'memory all PHP-FPM pools may use ("2G"); unset: off')

    OPTIONS = Options

    def check(ws):
        budget = ws.options_for(NAME).budget

A frozen dataclass declared the same way works too. Field names are kebab-case in the config
(`max_size` -> `max-size`); sizes may be written "2G".
"""

from __future__ import annotations

from gwlint.errors import InputError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~3 ms of start-up)
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any


class Option:
    """A declared option's default and one line of doc (see `option`)."""

    __slots__ = ("default", "doc")

    def __init__(self, default: Any, doc: str) -> None:
        self.default = default
        self.doc = doc


def option(default: Any, doc: str) -> Any:
    """A rule option's field: its default and one line of doc (what `gwlint rule CODE` prints)."""
    if isinstance(default, (list, dict, set)):
        raise TypeError("a rule option's default must be immutable (use a tuple)")
    return Option(default, doc)


def declared(cls: type) -> dict[str, Option | None]:
    """The annotated fields of an OPTIONS class, in order, with their `option()` (None: not set)."""
    found: dict[str, Option | None] = {}
    for klass in reversed(cls.__mro__):
        for name in vars(klass).get("__annotations__", {}):
            value = vars(klass).get(name)
            found[name] = value if isinstance(value, Option) else None
    return found


def problems(cls: Any) -> list[str]:
    """What is wrong with an OPTIONS declaration (empty when it keeps the contract)."""
    if not isinstance(cls, type):
        return ["OPTIONS is not a class"]
    fields = declared(cls)
    if not fields:
        return ["OPTIONS declares no option (fields `name: type = option(default, doc)`)"]
    out = []
    for name, opt in fields.items():
        if opt is None:
            out.append(f"option {name} has no default (use option(default, doc))")
        elif not isinstance(opt.doc, str) or not opt.doc.strip() or "\n" in opt.doc.strip():
            out.append(f"option {name} has no one-line doc (use option(default, doc))")
    return out


def instance(cls: type, values: dict[str, Any]) -> Any:
    """An OPTIONS instance: every field set from `values` (snake_case names), else its default.
    Set as dataclasses set frozen fields, so a plain class and a frozen dataclass both work."""
    fields = declared(cls)
    unknown = set(values) - set(fields)
    if unknown:
        raise TypeError(f"unknown option {sorted(unknown)[0]!r}")
    made: Any = object.__new__(cls)
    for name, opt in fields.items():
        object.__setattr__(made, name, values.get(name, opt.default if opt else None))
    return made


def key(name: str) -> str:
    return name.replace("_", "-")


def fields(cls: Any) -> dict[str, tuple[Any, Any, str]]:
    """The options of a rule by config key: (type, default, doc)."""
    import typing

    hints = typing.get_type_hints(cls)
    return {key(name): (hints[name], opt.default if opt else None, opt.doc if opt else "")
            for name, opt in declared(cls).items()}


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
        instance(cls, out)
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
