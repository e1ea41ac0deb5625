"""Output formats: text (full and concise, ruff-like), github annotations, json (a public contract:
keep its shape), --statistics."""

from collections.abc import Callable, Sequence

from gwlint import __version__
from gwlint.engine.finding import Finding

JSON_VERSION = 1


def summary(findings: list[Finding]) -> dict:
    counts = {"error": 0, "warning": 0, "info": 0}
    for f in findings:
        counts[f.severity.value] += 1
    return {"total": len(findings), **counts, "fixable": sum(1 for f in findings if f.fix is not None)}


_COLORS = {"error": "31", "warning": "33", "info": "36", "bold": "1", "dim": "2", "fix": "32"}


def use_color(stream) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    import os

    return not os.environ.get("NO_COLOR") and hasattr(stream, "isatty") and stream.isatty()


def _painter(color: bool) -> Callable[[str, str], str]:
    def paint(text: str, style: str) -> str:
        return f"\033[{_COLORS[style]}m{text}\033[0m" if color else text
    return paint


def first_clause(message: str) -> str:
    """A message's first clause (up to its first `; `): what is wrong, without the consequence."""
    return message.split("; ", 1)[0]


def as_concise(findings: list[Finding], color: bool = False, summary: bool = True, prefix: str = "",
               checked: list[str] | tuple[str, ...] = ()) -> str:
    """One line per finding, `path:line: CODE [*] first clause`, then the totals (as ruff's concise)."""
    paint = _painter(color)
    out = []
    for f in findings:
        where = f"{join_path(prefix, f.path)}:{f.line}:" if f.path else "gwlint:"
        mark = " " + paint("[*]", "fix") if f.fix is not None and f.fix.safe else ""
        out.append(f"{paint(where, 'bold')} {paint(f.code, f.severity.value)}{mark} {first_clause(f.message)}")
    if summary:
        out += [f"Checked {what}." for what in checked]
        out.append(totals(findings))
    return "".join(line + "\n" for line in out)


def totals(findings: list[Finding]) -> str:
    """The summary line: `3 findings (3 error), 2 fixable with --fix.` or `All checks passed.`"""
    if not findings:
        return "All checks passed."
    safe = sum(1 for f in findings if f.fix is not None and f.fix.safe)
    unsafe = sum(1 for f in findings if f.fix is not None and not f.fix.safe)
    s = summary(findings)
    counts = ", ".join(f"{s[k]} {k}" for k in ("error", "warning", "info") if s[k])
    tail = f" ({unsafe} more with --unsafe-fixes)" if unsafe else ""
    return f"{s['total']} finding{'s' if s['total'] != 1 else ''} ({counts}), {safe} fixable with --fix{tail}."


def as_statistics(findings: list[Finding], as_json: bool = False, color: bool = False) -> str:
    """`--statistics`: findings per code, most frequent first (`[*]`: safely fixable)."""
    rows: dict[str, dict] = {}
    for f in findings:
        row = rows.setdefault(f.code, {"code": f.code, "name": f.name, "count": 0, "fixable": False})
        row["count"] += 1
        row["fixable"] = row["fixable"] or (f.fix is not None and f.fix.safe)
    ordered = sorted(rows.values(), key=lambda r: (-r["count"], r["code"]))
    if as_json:
        import json

        return json.dumps(ordered, indent=2) + "\n"
    paint = _painter(color)
    width = max((len(str(r["count"])) for r in ordered), default=1)
    code_width = max((len(r["code"]) for r in ordered), default=5)
    return "".join(f"{r['count']:>{width}}  {paint(r['code'].ljust(code_width), 'bold')}  "
                   f"{paint('[*]', 'fix') if r['fixable'] else '[ ]'} {r['name']}\n" for r in ordered)


def as_text(findings: list[Finding], source: Callable[[str], str | None] | None = None,
            color: bool = False, summary: bool = True, prefix: str = "",
            checked: list[str] | tuple[str, ...] = ()) -> str:
    """Each finding with its source line, related locations and fix; then what was linted
    (`checked`: gwlint.output.inventory.linted, one line per root) and the totals.

    `source(path)` returns a file's text (None when unknown) for the offending line; `prefix` is
    prepended to every (root-relative) path (see `view_prefix`).
    """
    paint = _painter(color)

    lines_of: dict[str, list[str]] = {}

    def line_at(path: str, line: int) -> str | None:
        if source is None or not path or line < 1:
            return None
        if path not in lines_of:
            lines_of[path] = (source(path) or "").splitlines()
        text = lines_of[path]
        return text[line - 1].rstrip() if line <= len(text) else None

    out = []
    for f in findings:
        mark = paint(" [*]", "fix") if f.fix is not None and f.fix.safe else ""
        where = f"{join_path(prefix, f.path)}:{f.line}:" if f.path else "gwlint:"
        out.append(f"{paint(where, 'bold')} {paint(f.code, f.severity.value)} {f.severity.value}: "
                   f"{f.message}{mark}")
        shown = line_at(f.path, f.line)
        if shown is not None:
            gutter = str(f.line)
            out.append(paint(f"    {gutter} | ", "dim") + shown.expandtabs(4))
        for r in f.related:
            out.append(f"    {paint('=', 'dim')} {join_path(prefix, r.path)}:{r.line}: {r.label}")
        if f.fix is not None:
            out.append(f"    {paint('=', 'dim')} fix ({f.fix.applicability}): {f.fix.title}")
        out.append("")
    if summary:
        out += [f"Checked {what}." for what in checked or ()]
        out.append(totals(findings))
    elif out:
        out.pop()  # no blank line after the last finding
    return "".join(line + "\n" for line in out)


def as_github(findings: list[Finding], prefix: str = "", errors: Sequence[dict] = ()) -> str:
    """GitHub Actions workflow commands: one `::error file=..,line=..::` annotation per finding,
    and per error that stopped the run (`errors`: dicts with path, line and message).

    `prefix` is the root's path from the repository checkout, prepended to every file path.
    """
    level = {"error": "error", "warning": "warning", "info": "notice"}
    out = []
    for e in errors:
        props = [("file", e["path"]), ("line", str(e["line"] or 1))] if e["path"] else []
        head = ",".join(f"{k}={_escape(v, True)}" for k, v in [*props, ("title", "gwlint error")])
        out.append(f"::error {head}::{_escape(e['message'])}")
    for f in findings:
        message = f.message + "".join(f"\n{join_path(prefix, r.path)}:{r.line}: {r.label}" for r in f.related)
        if f.fix is not None:
            message += f"\nfix ({f.fix.applicability}): {f.fix.title}"
        props = [("title", f"{f.code} {f.name}")]
        if f.path:
            props[:0] = [("file", join_path(prefix, f.path)), ("line", str(f.line))]
        head = ",".join(f"{k}={_escape(v, True)}" for k, v in props)
        out.append(f"::{level[f.severity.value]} {head}::{_escape(message)}")
    return "".join(line + "\n" for line in out)


def view_prefix(root) -> str:
    """What every output puts before a root-relative path: the root's path from the current
    directory when the root is inside it (what GitHub and SARIF consumers map onto repository
    files), else nothing (paths relative to the root)."""
    import os

    rel = os.path.relpath(os.path.abspath(root))
    if rel == "." or rel == ".." or rel.startswith(".." + os.sep):
        return ""
    return rel


def join_path(prefix: str, path: str) -> str:
    """`path` (root-relative) as seen from the directory gwlint runs in."""
    import posixpath

    return posixpath.normpath(posixpath.join(prefix, path)) if prefix not in ("", ".") and path else path


def _escape(value: str, property_value: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return value.replace(":", "%3A").replace(",", "%2C") if property_value else value


def finding_dict(f: Finding, prefix: str = "") -> dict:
    fix = None
    if f.fix is not None:
        fix = {"title": f.fix.title, "applicability": f.fix.applicability,
               "edits": [{"path": join_path(prefix, e.path), "start": e.start, "end": e.end, "lines": list(e.lines)}
                         for e in f.fix.edits]}
    return {"code": f.code, "name": f.name, "severity": f.severity.value, "message": f.message,
            "path": join_path(prefix, f.path), "line": f.line,
            "related": [{"path": join_path(prefix, r.path), "line": r.line, "label": r.label} for r in f.related],
            "fix": fix}


def as_json(findings: list[Finding], root: str, prefix: str = "", errors: Sequence[dict] = ()) -> str:
    """The JSON contract. `errors` (path, line, message) are what stopped the run (exit 2 or 3):
    the document is still complete, with no findings."""
    doc = {"version": JSON_VERSION, "tool": {"name": "gwlint", "version": __version__}, "root": root,
           "findings": [finding_dict(f, prefix) for f in findings], "errors": list(errors),
           "summary": summary(findings)}
    import json  # (lazy: ~2 ms of start-up the text formats do not need)

    return json.dumps(doc, indent=2) + "\n"
