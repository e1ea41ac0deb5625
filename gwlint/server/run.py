"""One lint (or fix) of a root with the editor's buffers, configured as `gwlint check` is."""

from pathlib import Path

from gwlint.engine.finding import Finding
from gwlint.fix.loop import FixResult


def _pipeline(root: Path, overlay: dict[str, str]):
    from gwlint.engine import config, runner
    from gwlint.engine.registry import load_rules
    from gwlint.load.cache import open_cache
    from gwlint.model.workspace import load_workspace

    rules = load_rules()
    cfg = config.load(config.find(root), runner.known_codes(rules))  # read each run: edits apply at once
    options, cache = cfg.model_options(), open_cache(root)

    def load(fixed=None):
        return load_workspace(root, options=options, path_map=cfg.paths, overlay={**overlay, **(fixed or {})},
                              cache=cache)

    def lint(ws) -> list[Finding]:
        return runner.run(ws, rules, cfg)

    return load, lint


def lint_root(root: Path, overlay: dict[str, str]):
    """(workspace, findings sorted); raises InputError for input that cannot be read."""
    load, lint = _pipeline(root, overlay)
    ws = load()
    return ws, sorted(lint(ws), key=Finding.sort_key)


def fix_root(root: Path, overlay: dict[str, str]) -> FixResult:
    """The safe fixes, as the fix loop makes them (nothing written)."""
    from gwlint.fix import loop

    load, lint = _pipeline(root, overlay)
    return loop.fix_loop(load, lint, unsafe=False)
