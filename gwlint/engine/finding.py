"""Findings: what a rule reports, where, why, and how to fix it."""

from enum import Enum

from gwlint.records import Record


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "info": 1}[self.value]


class Related(Record):
    """Another location a finding depends on: the other side of a cross-file mismatch."""

    __slots__ = ("label", "line", "path")

    def __init__(self, path: str, line: int, label: str) -> None:
        self.path = path
        self.line = line
        self.label = label


class Edit(Record):
    """Replace lines `start`..`end` (1-based, inclusive) of `path` by `lines`.

    `end = start - 1` inserts before `start`; `lines = ()` deletes. Lines carry no line ending:
    the file's own ending is used when the edit is applied.
    """

    __slots__ = ("end", "lines", "path", "start")

    def __init__(self, path: str, start: int, end: int, lines: tuple[str, ...]) -> None:
        self.path = path
        self.start = start
        self.end = end
        self.lines = lines


class Fix(Record):
    """A titled set of edits; `safe` fixes apply with --fix, unsafe ones need --unsafe-fixes."""

    __slots__ = ("edits", "safe", "title")

    def __init__(self, title: str, edits: tuple[Edit, ...], safe: bool = True) -> None:
        self.title = title
        self.edits = edits
        self.safe = safe

    @property
    def applicability(self) -> str:
        return "safe" if self.safe else "unsafe"


class Finding(Record):
    """One problem at `path:line`; rules leave code, name and severity to the engine."""

    __slots__ = ("at_most", "code", "fix", "line", "message", "name", "path", "related", "severity")

    def __init__(self, message: str, path: str, line: int, related: list[Related] | None = None, fix: Fix | None = None,
                 code: str = "", name: str = "", severity: Severity = Severity.ERROR,
                 at_most: Severity | None = None) -> None:
        self.message = message
        self.path = path
        self.line = line
        self.related = [] if related is None else related
        self.fix = fix
        self.code = code
        self.name = name
        self.severity = severity
        # the rule's own cap for this finding (a latent risk, or a verdict resting on a fact the tree does
        # not state): the engine stamps min(rule severity, at_most); configured severities still win
        self.at_most = at_most

    def sort_key(self) -> tuple:
        return (self.path, self.line, self.code, self.message)


def report(at, message: str, related=(), fix: Fix | None = None, at_most: Severity | None = None) -> Finding:
    """A finding at a Directive or Setting (anything with `path` and `line`); `at_most` caps its
    severity below the rule's."""
    return Finding(message, at.path, at.line, list(related), fix, at_most=at_most)


def capped(severity: Severity, at_most: Severity | None) -> Severity:
    """`severity`, lowered to `at_most` when that is lower."""
    return at_most if at_most is not None and at_most.rank < severity.rank else severity


def related(at, label: str) -> Related:
    """A related location at a Directive or Setting."""
    return Related(at.path, at.line, label)
