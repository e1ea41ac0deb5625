"""One lint (or fix) of a root with the editor's buffers, through gwlint.api as `gwlint check` runs."""

from pathlib import Path

from gwlint.engine.finding import Finding
from gwlint.fix.loop import FixResult


def lint_root(root: Path, overlay: dict[str, str]) -> tuple[object, list[Finding]]:
    """(workspace, findings sorted); the config is read on each run. Raises InputError for input
    that cannot be read."""
    from gwlint.api import lint
    from gwlint.load.inputs import Inputs

    result = lint(Inputs(root, overlay=dict(overlay)), cache=True)
    return result.workspace, result.findings


def fix_root(root: Path, overlay: dict[str, str]) -> FixResult:
    """The safe fixes, as the fix loop makes them (nothing written)."""
    from gwlint.api import fix
    from gwlint.load.inputs import Inputs

    result = fix(Inputs(root, overlay=dict(overlay)), cache=True)
    assert result.fixes is not None
    return result.fixes
