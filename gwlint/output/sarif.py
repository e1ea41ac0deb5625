"""SARIF 2.1.0 output (GitHub code scanning): rule metadata from the rule docstrings, related
locations, fixes as artifact changes, and the invocation (with the error when the run failed)."""

import json
from collections.abc import Sequence
from urllib.parse import quote

from gwlint import __version__
from gwlint.engine.finding import Finding
from gwlint.output.report import join_path

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def _descriptor(code: str, name: str, severity: str, summary: str, doc: str) -> dict:
    """A reportingDescriptor: short description = the docstring's first line, help = all of it."""
    body = doc.strip().split("\n", 1)[1].strip() if "\n" in doc.strip() else ""
    return {"id": code, "name": name,
            "shortDescription": {"text": summary},
            "fullDescription": {"text": body.split("\n## ", 1)[0].removeprefix("## What it does").strip() or summary},
            "help": {"text": doc.strip() or summary, "markdown": doc.strip() or summary},
            "defaultConfiguration": {"level": LEVELS[severity]}}


def descriptors(rules) -> list[dict]:
    """Descriptors for the rules and the tool's own GW9xx codes, sorted by code."""
    from gwlint.engine.toolcodes import TOOL_CODES

    out = [_descriptor(r.code, r.name, r.severity.value, r.summary, r.doc) for r in rules]
    out += [_descriptor(t.code, t.name, t.severity.value, t.summary, "") for t in TOOL_CODES]
    return sorted(out, key=lambda d: d["id"])


def _location(prefix: str, path: str, line: int) -> dict:
    return {"physicalLocation": {"artifactLocation": _artifact(prefix, path),
                                 "region": {"startLine": max(line, 1)}}}


def _artifact(prefix: str, path: str) -> dict:
    return {"uri": quote(join_path(prefix, path)), "uriBaseId": "%SRCROOT%"}


def _fix(prefix: str, fix) -> dict:
    """A SARIF fix: whole-line replacements (an Edit replaces lines start..end; end = start - 1
    inserts before start), as deleted regions from column 1 of `start` to column 1 of `end + 1`."""
    changes: dict[str, list[dict]] = {}
    for e in fix.edits:
        end = max(e.end + 1, e.start)
        changes.setdefault(e.path, []).append(
            {"deletedRegion": {"startLine": e.start, "startColumn": 1, "endLine": end, "endColumn": 1},
             "insertedContent": {"text": "".join(line + "\n" for line in e.lines)}})
    return {"description": {"text": f"{fix.title} ({fix.applicability})"},
            "artifactChanges": [{"artifactLocation": _artifact(prefix, path), "replacements": replacements}
                                for path, replacements in changes.items()]}


def as_sarif(findings: list[Finding], rules, prefix: str = "", errors: Sequence[dict] = (),
             exit_code: int | None = None) -> str:
    """One run; `prefix` is the root's path from the checkout, so URIs are checkout-relative.

    `errors` (dicts with path, line and message) are what stopped the run: the invocation says
    `executionSuccessful: false` and carries each one as a notification at its file and line.
    """
    table = descriptors(rules)
    index = {d["id"]: i for i, d in enumerate(table)}
    results = []
    for f in findings:
        result: dict[str, object] = {"ruleId": f.code, "level": LEVELS[f.severity.value],
                                     "message": {"text": f.message}}
        if f.code in index:
            result["ruleIndex"] = index[f.code]
        if f.path:
            result["locations"] = [_location(prefix, f.path, f.line)]
        if f.related:
            result["relatedLocations"] = [{**_location(prefix, r.path, r.line), "id": i, "message": {"text": r.label}}
                                          for i, r in enumerate(f.related, 1)]
        if f.fix is not None:
            result["fixes"] = [_fix(prefix, f.fix)]
            result["properties"] = {"fix": f.fix.title, "fixApplicability": f.fix.applicability}
        results.append(result)
    invocation: dict = {"executionSuccessful": not errors}
    if exit_code is not None:
        invocation["exitCode"] = exit_code
    if errors:
        invocation["toolExecutionNotifications"] = [
            {"level": "error", "message": {"text": e["message"]},
             **({"locations": [_location("", e["path"], e["line"] or 1)]} if e["path"] else {})}
            for e in errors]
    log = {"$schema": SCHEMA, "version": "2.1.0",
           "runs": [{"tool": {"driver": {"name": "gwlint", "version": __version__,
                                         "rules": table}},
                     "invocations": [invocation],
                     "results": results}]}
    return json.dumps(log, indent=2) + "\n"
