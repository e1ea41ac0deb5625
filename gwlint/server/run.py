"""One lint (or fix) of a root with the editor's buffers, through gwlint.api as `gwlint check` runs.

Each root keeps a MemoryCache from run to run (parsed files, file texts, path facts), so that a
re-lint after an edit re-reads and re-parses only what changed; the rules are loaded once.
"""

from pathlib import Path

from gwlint.engine.finding import Finding
from gwlint.fix.loop import FixResult

_caches: dict[Path, object] = {}
_rules: list = []


def _session(root: Path) -> tuple[object, list]:
    from gwlint.engine.registry import load_rules
    from gwlint.load.cache import MemoryCache

    if not _rules:
        _rules.extend(load_rules())
    cache = _caches.get(root)
    if cache is None:
        from gwlint.api import _open_cache

        cache = _caches[root] = MemoryCache(_open_cache(str(root)))
    return cache, _rules


def lint_root(root: Path, overlay: dict[str, str]) -> tuple[object, list[Finding]]:
    """(workspace, findings sorted); the config is read on each run. Raises InputError for input
    that cannot be read."""
    from gwlint.api import lint
    from gwlint.load.inputs import Inputs

    cache, rules = _session(root)
    result = lint(Inputs(str(root), overlay=dict(overlay)), cache=cache, rules=rules)
    return result.workspace, result.findings


def fix_root(root: Path, overlay: dict[str, str]) -> FixResult:
    """The safe fixes, as the fix loop makes them (nothing written)."""
    from gwlint.api import fix
    from gwlint.load.inputs import Inputs

    cache, rules = _session(root)
    result = fix(Inputs(str(root), overlay=dict(overlay)), cache=cache, rules=rules)
    assert result.fixes is not None
    return result.fixes
