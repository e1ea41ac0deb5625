"""Findings: what a rule reports, where, why, and how to fix it."""

from dataclasses import dataclass, field
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "info": 1}[self.value]


@dataclass(frozen=True, slots=True)
class Related:
    """Another location a finding depends on: the other side of a cross-file mismatch."""

    path: str
    line: int
    label: str


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace lines `start`..`end` (1-based, inclusive) of `path` by `lines`.

    `end = start - 1` inserts before `start`; `lines = ()` deletes. Lines carry no line ending:
    the file's own ending is used when the edit is applied.
    """

    path: str
    start: int
    end: int
    lines: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Fix:
    """A titled set of edits; `safe` fixes apply with --fix, unsafe ones need --unsafe-fixes."""

    title: str
    edits: tuple[Edit, ...]
    safe: bool = True

    @property
    def applicability(self) -> str:
        return "safe" if self.safe else "unsafe"


@dataclass(slots=True)
class Finding:
    """One problem at `path:line`; rules leave code, name and severity to the engine."""

    message: str
    path: str
    line: int
    related: list[Related] = field(default_factory=list)
    fix: Fix | None = None
    code: str = ""
    name: str = ""
    severity: Severity = Severity.ERROR
    # the rule's own cap for this finding (a latent risk, or a verdict resting on a fact the tree does
    # not state): the engine stamps min(rule severity, at_most); configured severities still win
    at_most: Severity | None = None

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
