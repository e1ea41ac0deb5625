"""`gwlint doctor` reports: text grouped by cause (most frequent first) and JSON ("version": 1)."""

import json
from collections import Counter

from gwlint import __version__
from gwlint.doctor.diagnose import Diagnosis, Report

JSON_VERSION = 1
MAX_LINES_SHOWN = 8


def _by_file(entries) -> list[tuple[str, list[int]]]:
    files: dict[str, list[int]] = {}
    for e in entries:
        files.setdefault(e.file, []).append(e.line)
    return list(files.items())


def _iso(t) -> str | None:
    return t.isoformat() if t is not None else None


def _log(d: Diagnosis) -> dict | None:
    entries = d.entries or d.evidence
    if not entries:
        return None
    files = _by_file(entries)
    times = [e.time for e in entries if e.time]
    return {"file": files[0][0], "lines": files[0][1], "count": len(entries),
            "first": _iso(min(times)) if times else None, "last": _iso(max(times)) if times else None,
            "files": [{"file": f, "lines": lines} for f, lines in files]}


def _requests(d: Diagnosis) -> tuple[str, str]:
    """(host, URI) most seen in the group, with 'and N other URIs'."""
    hosts = Counter(e.host or e.server for e in d.entries if e.host or e.server)
    uris = Counter(e.uri for e in d.entries if e.uri)
    host = (hosts.most_common(1)[0][0] or "") if hosts else ""
    uri = ""
    if uris:
        uri = uris.most_common(1)[0][0]
        if len(uris) > 1:
            uri += f" (and {len(uris) - 1} other URI{'s' if len(uris) > 2 else ''})"
    return host, uri


def as_json(report: Report, root: str) -> str:
    diagnoses = []
    for d in report.diagnoses:
        host, uri = _requests(d)
        diagnoses.append({
            "cause": d.cause, "code": d.code, "severity": d.severity, "path": d.path, "line": d.line,
            "related": [{"path": r.path, "line": r.line, "label": r.label} for r in d.related],
            "log": _log(d), "next_step": d.next_step, "status": d.status, "error": d.error or None,
            "where": d.where or None, "host": host or None, "uri": uri or None,
            "evidence": [{"file": e.file, "line": e.line, "text": e.text} for e in d.evidence],
        })
    doc = {
        "version": JSON_VERSION, "tool": {"name": "gwlint", "version": __version__}, "root": root,
        "diagnoses": diagnoses,
        "unexplained": [{"file": e.file, "line": e.line, "text": e.text} for e in report.unexplained],
        "live": report.live.as_dict() if report.live is not None else None,
        "summary": summary(report),
    }
    return json.dumps(doc, indent=2) + "\n"


def summary(report: Report) -> dict:
    explained = sum(len(d.entries) for d in report.diagnoses)
    return {
        "causes": len(report.diagnoses), "explained_lines": explained, "unexplained_lines": len(report.unexplained),
        "lines_read": sum(log.lines for log in report.logs),
        "skipped_lines": sum(len(log.skipped) for log in report.logs),
        "logs": [{"file": log.path, "lines": log.lines, "entries": len(log.entries), "skipped": len(log.skipped),
                  "truncated": log.truncated} for log in report.logs],
        "live": report.live is not None, "notes": list(report.notes),
    }


def _span(d: Diagnosis) -> str:
    first, last = d.first, d.last
    if first is None or last is None:
        return ""
    if first.date() != last.date():
        return f"{first:%Y-%m-%d %H:%M:%S} - {last:%Y-%m-%d %H:%M:%S}"
    if first == last:
        return f"{first:%Y-%m-%d %H:%M:%S}"
    return f"{first:%Y-%m-%d %H:%M:%S}-{last:%H:%M:%S}"


def _lines(files: list[tuple[str, list[int]]]) -> str:
    parts = []
    for file, lines in files:
        shown = ", ".join(str(n) for n in lines[:MAX_LINES_SHOWN])
        more = f" (+{len(lines) - MAX_LINES_SHOWN} more)" if len(lines) > MAX_LINES_SHOWN else ""
        parts.append(f"{file} line{'s' if len(lines) > 1 else ''} {shown}{more}")
    return "; ".join(parts)


def as_text(report: Report) -> str:
    out = []
    for d in report.diagnoses:
        host, uri = _requests(d)
        if d.entries and d.status is not None:
            head = f"{d.count:,} x {d.status}"
        elif d.entries:
            head = f"{d.count:,} x {d.error or 'log line'}"
        else:
            head = "live state"
        on = " ".join(x for x in (host, uri) if x)
        span = _span(d)
        head += (f" on {on}" if on else "") + (f", {span}" if span else "")
        out.append(f"{head}: {d.error}" if d.error and d.status is not None else f"{head}:")
        out.append(f"    cause: {d.cause}")
        if d.path:
            out.append(f"    at {d.path}:{d.line}" + (f" [{d.code} {d.severity}]" if d.code else ""))
        for r in d.related:
            out.append(f"    = {r.path}:{r.line}: {r.label}")
        if d.where:
            out.append(f"    route: {d.where}")
        if d.entries:
            out.append(f"    log: {_lines(_by_file(d.entries))}")
        if d.evidence and d.evidence is not d.entries:
            out.append(f"    evidence: {_lines(_by_file(d.evidence))}")
        if d.next_step:
            out.append(f"    next: {d.next_step}")
        out.append("")
    if report.unexplained:
        out.append(f"{len(report.unexplained)} upstream line(s) not explained (no finding at their route, no "
                   "runtime evidence):")
        for e in report.unexplained[:20]:
            out.append(f"    {e.file}:{e.line}: {e.text.splitlines()[0][:200]}")
        if len(report.unexplained) > 20:
            out.append(f"    ... {len(report.unexplained) - 20} more (--format json lists them all)")
        out.append("")
    for note in report.notes:
        out.append(f"note: {note}")
    s = summary(report)
    logs = len(report.logs)
    out.append(f"{s['causes']} cause(s) for {s['explained_lines']:,} line(s); {s['unexplained_lines']:,} unexplained; "
               f"{s['lines_read']:,} line(s) read from {logs} log file(s)"
               + (f", {s['skipped_lines']:,} not in a known format" if s["skipped_lines"] else "")
               + ("; live state read" if report.live is not None else "") + ".")
    return "\n".join(out) + "\n"
