"""Inline suppressions: `# gwlint: disable=GW301 -- reason` (`;` in INI files).

    fastcgi_pass 127.0.0.1:9001;  # gwlint: disable=GW301 -- served by a container
    # gwlint: disable-next-line=GW301,GW302 -- reason
    # gwlint: disable-file=GW301 -- reason        (above the file's first directive or setting)

A reason is required (GW911); a suppression that suppresses nothing is reported (GW910); one that
cannot be read (unknown code, bad syntax, disable-file below the top) is GW912.
"""

import os
import re
from collections.abc import Callable, Iterator

from gwlint.engine.finding import Finding
from gwlint.engine.toolcodes import INVALID_SUPPRESSION, SUPPRESSION_WITHOUT_REASON, UNUSED_SUPPRESSION
from gwlint.model.suggest import nearest_name
from gwlint.records import Record

# patterns compiled on first use (re caches them): most files hold no suppression
_MARK = r"(?:^|[;#])\s*gwlint:\s*(.*)$"  # at a comment's start, or after `;`/`#`
_BODY = (r"(?P<kind>disable(?:-next-line|-file)?)\s*=\s*(?P<codes>[A-Z]{2,5}\d{3}(?:\s*,\s*[A-Z]{2,5}\d{3})*)"
         r"\s*(?:--\s*(?P<reason>.*?))?\s*$")
_INI_COMMENT = r"^\s*[;#]|[;#]\s*gwlint:"


class Suppression(Record):
    __slots__ = ("codes", "kind", "line", "path", "used")

    def __init__(self, path: str, line: int, kind: str, codes: tuple[str, ...], used: set[str]) -> None:
        self.path = path
        self.line = line  # the comment's line
        self.kind = kind  # disable | disable-next-line | disable-file
        self.codes = codes
        self.used = used

    def covers(self, finding: Finding) -> bool:
        if finding.path != self.path or finding.code not in self.codes:
            return False
        if self.kind == "disable-file":
            return True
        return finding.line == (self.line + 1 if self.kind == "disable-next-line" else self.line)


def _comments(ws) -> Iterator[tuple[str, int, str, int]]:
    """(path, line, comment text, first content line) for every comment gwlint reads."""
    for rel, parsed in ws.nginx_files.items():
        first = parsed.directives[0].line if parsed.directives else 1 << 30
        for line, text in parsed.comments:
            yield rel, line, text, first
    for rel in sorted({rel for install in ws.installs for rel in install.marked_files}):  # (most files: none)
        text = ws.root.read_text(os.path.join(ws.root.path, rel))
        lines = text.splitlines()
        content = [n for n, text in enumerate(lines, 1) if text.strip() and not re.match(_INI_COMMENT, text)]
        first = content[0] if content else 1 << 30
        for number, text in enumerate(lines, 1):
            if "gwlint:" in text and re.search(_INI_COMMENT, text):
                yield rel, number, text, first


def apply(findings: list[Finding], ws, known: list[str], selected: Callable[[str], bool]) -> list[Finding]:
    """`findings` without the suppressed ones, plus GW910-GW912 about the suppressions themselves."""
    suppressions: list[Suppression] = []
    problems: list[Finding] = []
    for path, line, text, first in _comments(ws):
        mark = re.search(_MARK, text) if "gwlint:" in text else None
        if not mark:
            continue
        body = re.match(_BODY, mark.group(1).strip())
        if not body:
            problems.append(INVALID_SUPPRESSION.finding(
                f"cannot read this suppression ('gwlint: {mark.group(1).strip()}'); write "
                "`gwlint: disable=GW301 -- reason` (or disable-next-line, disable-file)", path, line))
            continue
        codes = tuple(c.strip() for c in body["codes"].split(","))
        unknown = [c for c in codes if c not in known]
        if unknown:
            hint = nearest_name(unknown[0], known)
            problems.append(INVALID_SUPPRESSION.finding(
                f"suppression names unknown code {unknown[0]}" + (f"; did you mean {hint}?" if hint else ""),
                path, line))
            continue
        if body["kind"] == "disable-file" and line > first:
            problems.append(INVALID_SUPPRESSION.finding(
                "disable-file must come before the file's first directive or setting; it suppresses nothing here",
                path, line))
            continue
        if not body["reason"]:
            problems.append(SUPPRESSION_WITHOUT_REASON.finding(
                f"suppression of {', '.join(codes)} gives no reason; add `-- why` "
                "(it suppresses nothing until it does)", path, line))
            continue
        suppressions.append(Suppression(path, line, body["kind"], codes, set()))
    kept = []
    for finding in findings:
        hits = [s for s in suppressions if s.covers(finding)]
        for s in hits:
            s.used.add(finding.code)
        if not hits:
            kept.append(finding)
    for s in suppressions:
        unused = [c for c in s.codes if c not in s.used and selected(c)]
        if unused:
            where = {"disable": "on this line", "disable-next-line": "on the next line",
                     "disable-file": "in this file"}[s.kind]
            problems.append(UNUSED_SUPPRESSION.finding(
                f"unused suppression: no {', '.join(unused)} finding {where}; remove it", s.path, s.line))
    return kept + problems
