"""`gwlint rules` (the table of codes) and `gwlint rule CODE` (one rule's documentation)."""

import inspect
import json

from gwlint.engine.registry import load_rules
from gwlint.engine.toolcodes import TOOL_CODES
from gwlint.errors import InputError
from gwlint.model.suggest import nearest_name

HEADER = ("Code", "Name", "Severity", "Fixable", "Summary")


def rows() -> list[tuple[str, str, str, str, str]]:
    """One row per code, rules first then GW9xx, sorted by code."""
    out = [(r.code, r.name, r.severity.value, "yes" if r.fixable else "", r.summary) for r in load_rules()]
    out += [(t.code, t.name, t.severity.value, "", t.summary) for t in TOOL_CODES]
    return sorted(out)


def table(fmt: str = "text") -> str:
    data = rows()
    if fmt == "json":
        return json.dumps([{**dict(zip((h.lower() for h in HEADER), row, strict=True)), "fixable": row[3] == "yes"}
                           for row in data], indent=2) + "\n"
    if fmt == "markdown":
        lines = ["| " + " | ".join(HEADER) + " |", "|" + "|".join("---" for _ in HEADER) + "|"]
        lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in data]
        return "\n".join(lines) + "\n"
    widths = [max(len(str(row[i])) for row in (HEADER, *data)) for i in range(len(HEADER) - 1)]
    return "".join("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=False)) + "  " + row[-1] + "\n"
                   for row in (HEADER, *data))


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def describe(code_or_name: str) -> str:
    """A rule's docstring under a title line; InputError with a "did you mean" when unknown."""
    wanted = code_or_name.strip()
    for rule in load_rules():
        if wanted.upper() == rule.code or wanted == rule.name:
            fixable = "fixable with --fix" if rule.fixable else "no automatic fix"
            plugin = f", plugin {rule.plugin}" if rule.plugin else ""
            text = (f"{rule.code} {rule.name} ({rule.severity.value}, {fixable}{plugin})\n\n"
                    f"{inspect.cleandoc(rule.doc)}\n")
            if rule.options is not None:
                from gwlint.engine import options

                text += "\n" + options.describe(rule.options, rule.name)
            return text
    for tool in TOOL_CODES:
        if wanted.upper() == tool.code or wanted == tool.name:
            return f"{tool.code} {tool.name} ({tool.severity.value})\n\n{tool.summary}\n"
    hint = nearest_name(wanted, [name for row in rows() for name in row[:2]])
    raise InputError(f"unknown rule {wanted!r}" + (f"; did you mean {hint}?" if hint else "; see `gwlint rules`"))


README_START, README_END = "<!-- rules-table: start -->\n", "<!-- rules-table: end -->"


def readme_table(readme: str) -> str:
    """The rules table between the README's markers (what `gwlint rules --format markdown` printed)."""
    start = readme.index(README_START) + len(README_START)
    return readme[start:readme.index(README_END, start)]


def update_readme(path: str = "README.md") -> None:
    """Rewrite the README's rules table from the installed rules (`make readme-rules`)."""
    from pathlib import Path

    readme = Path(path).read_text(encoding="utf-8")
    start = readme.index(README_START) + len(README_START)
    Path(path).write_text(readme[:start] + table("markdown") + readme[readme.index(README_END, start):],
                          encoding="utf-8")
