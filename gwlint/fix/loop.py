"""The fix loop: apply non-overlapping fixes, re-parse, re-lint, until nothing changes."""

import contextlib
import difflib
import os
import tempfile
from collections.abc import Callable
from collections.abc import Set as AbstractSet

from gwlint.digest import blake2b
from gwlint.engine.finding import Edit, Finding, Fix
from gwlint.engine.toolcodes import FIX_BROKE_FILE, FIX_LOOP
from gwlint.errors import InputError
from gwlint.load.ini import parse_ini
from gwlint.load.nginx import parse_text
from gwlint.model.workspace import Workspace
from gwlint.records import Record

MAX_PASSES = 10
FIX_PROBLEMS = (FIX_LOOP.code, FIX_BROKE_FILE.code)  # what the loop itself reports: fixes that failed


class FixResult(Record):
    """What the loop did: texts before and after, the findings fixed, and those that remain."""

    __slots__ = ("applied", "boms", "fixed", "original", "remaining", "workspace")

    def __init__(self, original: dict[str, str] | None = None, fixed: dict[str, str] | None = None,
                 applied: list[Finding] | None = None, remaining: list[Finding] | None = None,
                 workspace: Workspace | None = None, boms: set[str] | None = None) -> None:
        self.original = {} if original is None else original
        self.fixed = {} if fixed is None else fixed
        self.applied = [] if applied is None else applied
        self.remaining = [] if remaining is None else remaining
        self.workspace = workspace
        self.boms = set() if boms is None else boms  # files that start with a UTF-8 BOM on disk

    @property
    def changed(self) -> list[str]:
        return sorted(rel for rel, text in self.fixed.items() if text != self.original[rel])


def _split(text: str) -> list[list[str]]:
    """[content, ending] per line, numbered like the parsers number them (on "\\n")."""
    out = []
    for part in text.split("\n"):
        if part.endswith("\r"):
            out.append([part[:-1], "\r\n"])
        else:
            out.append([part, "\n"])
    last = out.pop()  # the text after the last "\n": "" when the file ends with a newline
    if last[0]:
        out.append([last[0], ""])
    return out


def apply_edits(text: str, edits: list[Edit]) -> str:
    """Apply line edits bottom-up; untouched lines keep their endings, new lines take the file's
    (CRLF when it has any), and a missing final newline stays missing."""
    nl = "\r\n" if "\r\n" in text else "\n"
    lines = _split(text)
    final = lines[-1][1] if lines else nl
    for edit in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        lines[edit.start - 1:edit.end] = [[line, nl] for line in edit.lines]
    for line in lines[:-1]:
        line[1] = line[1] or nl
    if lines:
        lines[-1][1] = final
    return "".join(content + ending for content, ending in lines)


def _span(edit: Edit) -> tuple[int, int]:
    return (edit.start, max(edit.start, edit.end))


def fix_of(finding: Finding) -> Fix:
    """The fix of a finding the loop chose or applied (those always have one)."""
    assert finding.fix is not None
    return finding.fix


def _fix_key(finding: Finding) -> tuple:
    return (finding.path, finding.line, finding.code, finding.fix.title if finding.fix else "")


def choose(findings: list[Finding], unsafe: bool, rejected: AbstractSet[tuple] = frozenset()) -> list[Finding]:
    """Fixable findings whose edits overlap no edit already chosen, in finding order."""
    taken: dict[str, list[tuple[int, int]]] = {}
    chosen = []
    for finding in findings:
        fix = finding.fix
        if fix is None or not (fix.safe or unsafe) or not fix.edits or _fix_key(finding) in rejected:
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


def _culprits(rel: str, before: str, fixes: list[Finding], ws: Workspace) -> list[Finding]:
    """The fixes that break `rel` on their own; all of them when only their combination does."""
    alone = [f for f in fixes
             if _still_parses(rel, apply_edits(before, [e for e in fix_of(f).edits if e.path == rel]), ws)]
    return alone or fixes


def _state(overlay: dict[str, str], original: dict[str, str]) -> str:
    """A digest of the tree's texts: files equal to their original do not count."""
    items = sorted((rel, text) for rel, text in overlay.items() if text != original.get(rel))
    return blake2b(repr(items).encode(), digest_size=32).hexdigest()


def _no_convergence(at: Finding, why: str) -> Finding:
    return FIX_LOOP.finding(f"fixes do not converge: {why} (last: {at.code} {fix_of(at).title}); no fix was applied",
                            at.path, at.line)


def fix_loop(load: Callable[[dict[str, str]], Workspace], lint: Callable[[Workspace], list[Finding]],
             unsafe: bool = False) -> FixResult:
    """Fix until a fixed point, at most MAX_PASSES passes.

    A fix whose result does not parse is reverted and reported (GW905) and not tried again. A
    pass that leads back to an earlier state means fixes undo each other: nothing is applied
    at all and GW904 is reported at the first finding of that pass.
    """
    result = FixResult()
    overlay: dict[str, str] = {}
    seen = {_state(overlay, result.original)}
    problems: list[Finding] = []
    rejected: set[tuple] = set()
    for _ in range(MAX_PASSES):
        ws = load(overlay)
        if not overlay:
            result.boms |= ws.root.boms
        chosen = choose(lint(ws), unsafe, rejected)
        if not chosen:
            break
        by_file: dict[str, list[Edit]] = {}
        for finding in chosen:
            for edit in fix_of(finding).edits:
                by_file.setdefault(edit.path, []).append(edit)
        candidate, broken = dict(overlay), False
        for rel, edits in by_file.items():
            before = ws.root.read_text(os.path.join(ws.root.path, rel))  # the overlay's text once edited
            result.original.setdefault(rel, before)
            after = apply_edits(before, edits)
            error = _still_parses(rel, after, ws)
            if error:
                touching = [f for f in chosen if any(e.path == rel for e in fix_of(f).edits)]
                culprits = _culprits(rel, before, touching, ws)
                rejected.update(_fix_key(f) for f in culprits)
                titles = "; ".join(fix_of(f).title for f in culprits)
                problems.append(FIX_BROKE_FILE.finding(
                    f"fix reverted ({titles}): it made the file unparsable ({error})", culprits[0].path,
                    culprits[0].line))
                broken = True
                continue
            candidate[rel] = after
        if broken:  # redo this pass without the rejected fixes (a fix may span several files)
            continue
        state = _state(candidate, result.original)
        if state in seen:
            problems.append(_no_convergence(chosen[0], "applying them leads back to an earlier state"))
            overlay, result.applied = {}, []
            break
        seen.add(state)
        overlay = candidate
        result.applied.extend(chosen)
    else:
        problems.append(_no_convergence(chosen[0], f"still changing after {MAX_PASSES} passes"))
        overlay, result.applied = {}, []
    ws = load(overlay)
    result.workspace = ws
    result.fixed = {rel: overlay.get(rel, text) for rel, text in result.original.items()}
    result.remaining = sorted(lint(ws) + problems, key=Finding.sort_key)
    return result


def unified_diff(result: FixResult, prefix: str = "") -> str:
    """One diff over all changed files, `a/` and `b/` paths, accepted by `git apply` and `patch -p1`;
    `prefix` (the root's path from the current directory) is put before each root-relative path."""
    out = []
    for rel in result.changed:
        bom = "\ufeff" if rel in result.boms else ""
        old = _keepends(bom + result.original[rel])
        new = _keepends(bom + result.fixed[rel])
        shown = f"{prefix}/{rel}" if prefix else rel
        for line in difflib.unified_diff(old, new, f"a/{shown}", f"b/{shown}"):
            out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def _keepends(text: str) -> list[str]:
    """Lines with their endings, split on "\\n" only (a form feed is not a line break here)."""
    lines = text.split("\n")
    last = lines.pop()
    return [line + "\n" for line in lines] + ([last] if last else [])


def write_fixed(ws: Workspace | None, result: FixResult) -> None:
    """Write every changed file atomically (temp file + rename), keeping its mode and owner.

    All targets are checked before any is written: a file outside the root (through a symlink)
    or a read-only file (no write bit, even for root) stops the whole write with an InputError,
    leaving every file untouched. `ws` is the workspace the loop ended on (`result.workspace`).
    """
    if not result.changed:
        return
    assert ws is not None, "fix_loop sets FixResult.workspace"
    targets = []
    for rel in result.changed:
        path = ws.root.resolve(os.path.join(ws.root.path, rel))
        if path is None or not os.path.isfile(path):
            raise InputError("refusing to write outside the linted root (a symlink leaves it); "
                             "nothing was written", rel)
        st = os.stat(path)
        if not st.st_mode & 0o222 or not os.access(path, os.W_OK) or not os.access(os.path.dirname(path), os.W_OK):
            raise InputError("cannot write the fix: the file or its directory is read-only; "
                             "nothing was written", rel)
        targets.append((rel, path, st))
    for rel, path, st in targets:
        data = result.fixed[rel].encode("utf-8", "surrogateescape")  # bytes read as they were
        if rel in result.boms:
            data = b"\xef\xbb\xbf" + data
        directory, name = os.path.split(path)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{name}.", suffix=".gwlint")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.chmod(tmp, st.st_mode & 0o7777)
            if (st.st_uid, st.st_gid) != (os.getuid(), os.getgid()):
                # only root may chown: otherwise the file now belongs to the user running gwlint
                with contextlib.suppress(PermissionError):
                    os.chown(tmp, st.st_uid, st.st_gid)
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
