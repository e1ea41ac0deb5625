"""gwlint's findings and fixes in the Language Server Protocol's terms (positions are 0-based)."""

from pathlib import Path

from lsprotocol import types as lsp

from gwlint.engine.finding import Edit, Finding, Severity

SEVERITIES = {Severity.ERROR: lsp.DiagnosticSeverity.Error, Severity.WARNING: lsp.DiagnosticSeverity.Warning,
              Severity.INFO: lsp.DiagnosticSeverity.Information}


def line_range(lines: list[str], line: int) -> lsp.Range:
    """The text of 1-based `line` (from its first non-blank character), or its start when unknown."""
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    start = len(text) - len(text.lstrip())
    return lsp.Range(lsp.Position(max(line - 1, 0), start), lsp.Position(max(line - 1, 0), len(text)))


def diagnostic(finding: Finding, root: Path, lines_of, docs_url: str | None) -> lsp.Diagnostic:
    """A finding as a diagnostic; `lines_of(rel)` gives a file's lines, `docs_url` a `{code}` template."""
    related = [lsp.DiagnosticRelatedInformation(
        lsp.Location((root / r.path).as_uri(), line_range(lines_of(r.path), r.line)), r.label)
        for r in finding.related]
    fix = f" [fix: {finding.fix.title}{'' if finding.fix.safe else ', unsafe'}]" if finding.fix else ""
    return lsp.Diagnostic(
        range=line_range(lines_of(finding.path), finding.line),
        message=finding.message + fix,
        severity=SEVERITIES[finding.severity],
        code=finding.code or None,
        code_description=lsp.CodeDescription(docs_url.format(code=finding.code)) if docs_url and finding.code else None,
        source="gwlint",
        related_information=related or None,
    )


def text_edits(edits: tuple[Edit, ...], root: Path, lines_of) -> dict[str, list[lsp.TextEdit]]:
    """Line edits as TextEdits, per document URI: whole lines replaced, the file's line ending kept."""
    changes: dict[str, list[lsp.TextEdit]] = {}
    for edit in edits:
        lines = lines_of(edit.path)
        start = lsp.Position(edit.start - 1, 0)
        end = lsp.Position(edit.end, 0) if edit.end >= edit.start else start
        text = "".join(line + "\n" for line in edit.lines)
        if edit.end >= len(lines) and lines and edit.end >= edit.start:  # the last line: it may have no newline
            end = lsp.Position(edit.end - 1, len(lines[-1]))
            text = text[:-1]
        changes.setdefault((root / edit.path).as_uri(), []).append(lsp.TextEdit(lsp.Range(start, end), text))
    return changes


def whole_document(old: str, new: str) -> lsp.TextEdit:
    """One edit replacing a document's text."""
    lines = old.split("\n")
    return lsp.TextEdit(lsp.Range(lsp.Position(0, 0), lsp.Position(len(lines) - 1, len(lines[-1]))), new)
