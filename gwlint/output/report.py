"""Output formats: text (ruff-like), github annotations, json (a public contract: keep its shape)."""

import json
from collections.abc import Callable

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


def as_text(findings: list[Finding], source: Callable[[str], str | None] | None = None,
            color: bool = False) -> str:
    """Each finding with its source line, related locations and fix; then the totals.

    `source(path)` returns a file's text (None when unknown) for the offending line.
    """
    def paint(text: str, style: str) -> str:
        return f"\033[{_COLORS[style]}m{text}\033[0m" if color else text

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
        where = f"{f.path}:{f.line}:" if f.path else "gwlint:"
        out.append(f"{paint(where, 'bold')} {paint(f.code, f.severity.value)} {f.severity.value}: "
                   f"{f.message}{mark}")
        shown = line_at(f.path, f.line)
        if shown is not None:
            gutter = str(f.line)
            out.append(paint(f"    {gutter} | ", "dim") + shown.expandtabs(4))
        for r in f.related:
            out.append(f"    {paint('=', 'dim')} {r.path}:{r.line}: {r.label}")
        if f.fix is not None:
            out.append(f"    {paint('=', 'dim')} fix ({f.fix.applicability}): {f.fix.title}")
        out.append("")
    if findings:
        safe = sum(1 for f in findings if f.fix is not None and f.fix.safe)
        unsafe = sum(1 for f in findings if f.fix is not None and not f.fix.safe)
        s = summary(findings)
        counts = ", ".join(f"{s[k]} {k}" for k in ("error", "warning", "info") if s[k])
        tail = f" ({unsafe} more with --unsafe-fixes)" if unsafe else ""
        out.append(f"{s['total']} finding{'s' if s['total'] != 1 else ''} ({counts}), "
                   f"{safe} fixable with --fix{tail}.")
    else:
        out.append("All checks passed.")
    return "\n".join(out) + "\n"


def as_github(findings: list[Finding], prefix: str = "") -> str:
    """GitHub Actions workflow commands: one `::error file=..,line=..::` annotation per finding.

    `prefix` is the root's path from the repository checkout, prepended to every file path.
    """
    level = {"error": "error", "warning": "warning", "info": "notice"}
    out = []
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


def join_path(prefix: str, path: str) -> str:
    """`path` (root-relative) as seen from the directory gwlint runs in."""
    import posixpath

    return posixpath.normpath(posixpath.join(prefix, path)) if prefix not in ("", ".") else path


def _escape(value: str, property_value: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return value.replace(":", "%3A").replace(",", "%2C") if property_value else value


def finding_dict(f: Finding) -> dict:
    fix = None
    if f.fix is not None:
        fix = {"title": f.fix.title, "applicability": f.fix.applicability,
               "edits": [{"path": e.path, "start": e.start, "end": e.end, "lines": list(e.lines)}
                         for e in f.fix.edits]}
    return {"code": f.code, "name": f.name, "severity": f.severity.value, "message": f.message,
            "path": f.path, "line": f.line,
            "related": [{"path": r.path, "line": r.line, "label": r.label} for r in f.related],
            "fix": fix}


def as_json(findings: list[Finding], root: str) -> str:
    doc = {"version": JSON_VERSION, "tool": {"name": "gwlint", "version": __version__}, "root": root,
           "findings": [finding_dict(f) for f in findings], "summary": summary(findings)}
    return json.dumps(doc, indent=2) + "\n"
