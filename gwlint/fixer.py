"""The fix loop: apply non-overlapping fixes, re-parse, re-lint, until nothing changes."""

from dataclasses import dataclass, field
import difflib
import hashlib
import os
from pathlib import Path
import tempfile
from typing import Callable

from gwlint.errors import InputError
from gwlint.finding import Edit, Finding, Severity
from gwlint.ini import parse_ini
from gwlint.model import Workspace
from gwlint.nginx import parse_text

MAX_PASSES = 10
BOM = b"\xef\xbb\xbf"


@dataclass
class FixResult:
    """What the loop did: texts before and after, the findings fixed, and those that remain."""

    original: dict[str, str] = field(default_factory=dict)
    fixed: dict[str, str] = field(default_factory=dict)
    applied: list[Finding] = field(default_factory=list)
    remaining: list[Finding] = field(default_factory=list)
    workspace: Workspace | None = None

    @property
    def changed(self) -> list[str]:
        return sorted(rel for rel, text in self.fixed.items() if text != self.original[rel])


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def apply_edits(text: str, edits: list[Edit]) -> str:
    """Apply line edits bottom-up, keeping the file's line endings and final newline."""
    nl = _newline(text)
    lines = text.splitlines()
    for edit in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        lines[edit.start - 1:edit.end] = list(edit.lines)
    ending = nl if text.endswith(("\n", "\r")) or not text else ""
    return nl.join(lines) + (ending if lines else "")


def _span(edit: Edit) -> tuple[int, int]:
    return (edit.start, max(edit.start, edit.end))


def choose(findings: list[Finding], unsafe: bool) -> list[Finding]:
    """Fixable findings whose edits overlap no edit already chosen, in finding order."""
    taken: dict[str, list[tuple[int, int]]] = {}
    chosen = []
    for finding in findings:
        fix = finding.fix
        if fix is None or not (fix.safe or unsafe):
            continue
        spans = [(e.path, _span(e)) for e in fix.edits]
        if any(not (b < s or e < a) for path, (a, b) in spans for s, e in taken.get(path, [])):
            continue
        for path, span in spans:
            taken.setdefault(path, []).append(span)
        chosen.append(finding)
    return chosen


def _still_parses(rel: str, text: str, ws: Workspace) -> str | None:
    """None when the fixed text parses as the kind of file it is, else the error."""
    try:
        if rel in ws.nginx_files:
            parse_text(text, rel)
        else:
            parse_ini(text, rel)
    except InputError as exc:
        return str(exc)
    return None


def fix_loop(load: Callable[[dict[str, str]], Workspace], lint: Callable[[Workspace], list[Finding]],
             unsafe: bool = False) -> FixResult:
    """Fix until a fixed point; a repeated state or an unparsable result changes nothing there."""
    result = FixResult()
    overlay: dict[str, str] = {}
    seen: set[str] = set()
    problems: list[Finding] = []
    for _ in range(MAX_PASSES):
        ws = load(overlay)
        findings = lint(ws)
        chosen = choose(findings, unsafe)
        if not chosen:
            break
        by_file: dict[str, list[Edit]] = {}
        for finding in chosen:
            for edit in finding.fix.edits:
                by_file.setdefault(edit.path, []).append(edit)
        candidate = dict(overlay)
        for rel, edits in by_file.items():
            before = ws.root.read_text(ws.root.path / rel)  # the overlay's text once edited
            result.original.setdefault(rel, before)
            after = apply_edits(before, edits)
            error = _still_parses(rel, after, ws)
            if error:
                problems.append(Finding(f"a fix made this file unparsable ({error}); fix reverted", rel, 1,
                                        code="GW905", name="fix-broke-file", severity=Severity.ERROR))
                chosen = [f for f in chosen if all(e.path != rel for e in f.fix.edits)]
                continue
            candidate[rel] = after
        state = hashlib.sha256(repr(sorted(candidate.items())).encode()).hexdigest()
        if state in seen or candidate == overlay:
            problems.append(Finding("fixes do not converge (a state repeated); no fix was applied", "", 0,
                                    code="GW904", name="fix-loop", severity=Severity.ERROR))
            overlay, result.applied = {}, []
            break
        seen.add(state)
        overlay = candidate
        result.applied.extend(chosen)
    ws = load(overlay)
    result.workspace = ws
    result.fixed = {rel: overlay.get(rel, text) for rel, text in result.original.items()}
    result.remaining = sorted(lint(ws) + problems, key=Finding.sort_key)
    return result


def unified_diff(result: FixResult) -> str:
    """One diff over all changed files, `a/` and `b/` paths, accepted by `git apply` and `patch -p1`."""
    out = []
    for rel in result.changed:
        old = result.original[rel].splitlines(keepends=True)
        new = result.fixed[rel].splitlines(keepends=True)
        for line in difflib.unified_diff(old, new, f"a/{rel}", f"b/{rel}"):
            out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def write_fixed(ws: Workspace, result: FixResult) -> None:
    """Write every changed file atomically (temp file + rename), keeping its mode.

    All targets are checked before any is written: a file outside the root (through a symlink)
    or a read-only file stops the whole write with an InputError, leaving every file untouched.
    """
    targets = []
    for rel in result.changed:
        path = Path(os.path.realpath(ws.root.path / rel))
        if not ws.root.contains(path):
            raise InputError("refusing to write outside the linted root (symlink leaves it)", rel)
        if not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
            raise InputError("cannot write the fix: file or its directory is read-only", rel)
        targets.append((rel, path))
    for rel, path in targets:
        data = result.fixed[rel].encode("utf-8")
        with open(path, "rb") as fh:  # the BOM the file has on disk (its text came from the overlay)
            if fh.read(3) == BOM:
                data = BOM + data
        mode = os.stat(path).st_mode & 0o7777
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".gwlint")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.chmod(tmp, mode)
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
