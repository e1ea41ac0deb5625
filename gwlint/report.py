"""Output formats: text (ruff-like) and json (a public contract: keep its shape)."""

import json

from gwlint import __version__
from gwlint.finding import Finding

JSON_VERSION = 1


def summary(findings: list[Finding]) -> dict:
    counts = {"error": 0, "warning": 0, "info": 0}
    for f in findings:
        counts[f.severity.value] += 1
    return {"total": len(findings), **counts, "fixable": sum(1 for f in findings if f.fix is not None)}


def as_text(findings: list[Finding]) -> str:
    out = []
    for f in findings:
        mark = " [*]" if f.fix is not None and f.fix.safe else ""
        out.append(f"{f.path}:{f.line}: {f.code} {f.severity.value}: {f.message}{mark}")
        for r in f.related:
            out.append(f"    {r.path}:{r.line}: {r.label}")
        if f.fix is not None:
            out.append(f"    fix ({f.fix.applicability}): {f.fix.title}")
    s = summary(findings)
    if findings:
        out.append(f"Found {s['total']} finding{'s' if s['total'] != 1 else ''} "
                   f"({s['error']} error, {s['warning']} warning, {s['info']} info); "
                   f"{s['fixable']} fixable with --fix.")
    else:
        out.append("All checks passed.")
    return "\n".join(out) + "\n"


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
