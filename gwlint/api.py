"""The Python API: `lint()` and `fix()`, the one run of load -> rules -> fix -> report.

The command line (a `Run` for each tree ROOT holds), `gwlint.testing`, `gwlint server`, `doctor`
and `--verify` all go through here, so a config, a severity or a file filter means the same thing
everywhere.

    from gwlint.api import lint, fix

    result = lint("deploy/", {"select": ["GW3"], "fail-on": "warning"})
    for finding in result.findings:
        print(finding.path, finding.line, finding.code, finding.message)
    fixed = fix("deploy/", write=False)     # the fix loop; fixed.diff is a unified diff
"""

from __future__ import annotations

import gc
import os
from collections.abc import Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager

from gwlint.engine.config import Config
from gwlint.engine.finding import Finding
from gwlint.errors import EXIT_CLEAN, EXIT_FINDINGS, InputError
from gwlint.load.inputs import Inputs
from gwlint.records import Record

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~3 ms of start-up)
if TYPE_CHECKING:
    from typing import Any

    from gwlint.engine.registry import Rule
    from gwlint.fix.loop import FixResult
    from gwlint.model.workspace import Workspace

__all__ = ["Config", "ConfigLike", "Finding", "Inputs", "Result", "Run", "configure", "fix", "lint", "load"]

ConfigLike = Config | Mapping[str, object] | str | os.PathLike | None
"""A Config; a table as in `.gwlint.toml`; a config file's path; None: the file found upward from
the root, as the command line does (defaults when there is none)."""


class Result(Record):
    """What a run found, sorted, with the model, config and rules it came from."""

    __slots__ = ("config", "findings", "fixes", "notes", "rules", "verified", "workspace")

    def __init__(self, findings: list[Finding], workspace: Workspace, config: Config, rules: list[Rule],
                 verified: list[Finding] | None = None, notes: list[str] | None = None,
                 fixes: FixResult | None = None) -> None:
        self.findings = findings
        self.workspace = workspace
        self.config = config
        self.rules = rules
        self.verified = [] if verified is None else verified  # from `verify=True` (also in findings)
        self.notes = [] if notes is None else notes  # what was skipped (a server not installed)
        self.fixes = fixes  # fix(): texts before and after, findings fixed and remaining

    @property
    def exit_code(self) -> int:
        """1 when a finding reaches the config's `fail-on` severity, else 0 (as `gwlint check`)."""
        return EXIT_FINDINGS if any(self.config.fails(f.severity) for f in self.findings) else EXIT_CLEAN

    @property
    def diff(self) -> str:
        """fix(): the fixes as one unified diff (`git apply`, `patch -p1`); "" after lint()."""
        if self.fixes is None:
            return ""
        from gwlint.fix.loop import unified_diff

        return unified_diff(self.fixes)


def configure(config: ConfigLike = None, root: str | os.PathLike = ".",
              overrides: Mapping[str, Any] | None = None, rules: list[Rule] | None = None) -> Config:
    """A validated Config (see ConfigLike); `overrides` are command-line flags (`{"fail-on": "error"}`).

    Raises gwlint.errors.InputError (one line, naming the file and key) on a bad config.
    """
    from gwlint.engine import config as config_module
    from gwlint.engine.runner import known_codes

    if isinstance(config, Mapping) and not config and not overrides:
        return Config()  # the defaults: nothing to validate, no rule to load
    every = _rules(rules)
    codes = known_codes(every)
    if isinstance(config, Config):
        return config_module.with_overrides(config, dict(overrides), codes, every) if overrides else config
    if isinstance(config, Mapping):
        cfg = config_module.from_dict(dict(config), codes, rules=every)
        return config_module.with_overrides(cfg, dict(overrides), codes, every) if overrides else cfg
    path = config if config is not None else config_module.find(os.fspath(root))
    return config_module.load(path, codes, dict(overrides) if overrides else None, every)


def load(root: str | os.PathLike | Inputs, config: ConfigLike = None, *, nginx: Iterable[str | os.PathLike] = (),
         fpm: Iterable[str | os.PathLike] = (), php_ini: Iterable[str | os.PathLike] = (),
         overlay: Mapping[str, str] | None = None, cache: bool = False) -> Workspace:
    """The model of a tree: discovery, parsing and indexing, once (no rules run).

    `nginx`/`fpm`/`php_ini` name entry files as `--nginx/--fpm/--php-ini` do; `overlay` maps
    root-relative paths to texts read instead of the files; `cache` uses ROOT/.gwlint_cache/.
    """
    inputs = _inputs(root, nginx, fpm, php_ini)
    cfg = configure(config, inputs.root)
    run = Run(inputs, cfg, [], cache=cache)
    ws = run.load(overlay)
    run.save_cache()
    return ws


def lint(root: str | os.PathLike | Inputs, config: ConfigLike = None, *, nginx: Iterable[str | os.PathLike] = (),
         fpm: Iterable[str | os.PathLike] = (), php_ini: Iterable[str | os.PathLike] = (),
         files: Collection[str] | None = None, verify: bool = False, cache: Any = False,
         rules: list[Rule] | None = None) -> Result:
    """Lint a tree: load it once, run the config's rules, return the findings (nothing is changed).

    `root`: a tree laid out like / (or an nginx dir with nginx.conf at its top), or an Inputs
    (gwlint.load.inputs: one file in a context, dumps). `files`: report only findings located in
    (or related to) these root-relative paths. `verify`: also run `nginx -t`/`php-fpm -t` on a
    relocated copy. `rules`: the rules to run (default: every installed rule). `cache`: True uses
    ROOT/.gwlint_cache/; a gwlint.load.cache.MemoryCache keeps parsed files from run to run.
    Raises gwlint.errors.InputError for input the run cannot use (exit 2 on the command line).
    """
    from gwlint.model.workspace import gc_paused

    inputs = _inputs(root, nginx, fpm, php_ini)
    every = _rules(rules)
    cfg = configure(config, inputs.root, rules=every)
    with gc_paused():  # one model, kept to the end: collections would only rescan it
        run = Run(inputs, cfg, every, files, cache, verify=verify)
        ws = run.load()
        run.save_cache()
        findings = run.lint(ws)
        result = Result(findings, ws, cfg, every)
        result.verified, result.notes = run.verified(ws)
        result.findings = sorted(findings + result.verified, key=Finding.sort_key)
    return result


def fix(root: str | os.PathLike | Inputs, config: ConfigLike = None, *, unsafe: bool = False, write: bool = False,
        nginx: Iterable[str | os.PathLike] = (), fpm: Iterable[str | os.PathLike] = (),
        php_ini: Iterable[str | os.PathLike] = (), files: Collection[str] | None = None, verify: bool = False,
        cache: Any = False, rules: list[Rule] | None = None) -> Result:
    """Lint and fix until nothing changes; `findings` are those that remain.

    Safe fixes only unless `unsafe`. `write` writes the fixed files in place (atomically; nothing
    is written when one cannot be); otherwise `result.diff` holds the fixes. With `verify`, the
    servers test the fixed tree. Other arguments as for lint().
    """
    from gwlint.fix import loop as fixer

    inputs = _inputs(root, nginx, fpm, php_ini)
    every = _rules(rules)
    cfg = configure(config, inputs.root, rules=every)
    run = Run(inputs, cfg, every, files, cache, verify=verify)
    with _gc_on():  # each pass builds a new model: the old ones are cyclic garbage to collect
        fixed = fixer.fix_loop(run.load, run.lint, unsafe=unsafe)
    run.save_cache()
    assert fixed.workspace is not None
    result = Result(fixed.remaining, fixed.workspace, cfg, every, fixes=fixed)
    if write:
        fixer.write_fixed(fixed.workspace, fixed)
    if verify:
        result.verified, result.notes = run.verified(fixed.workspace, None if write else fixed.fixed)
        result.findings = sorted(fixed.remaining + result.verified, key=Finding.sort_key)
    return result


class Run:
    """One root's orchestration: load (with an overlay of fixes) -> rules -> servers' own test.

    lint() and fix() drive one; the command line drives one per tree that ROOT holds (`root`).
    """

    def __init__(self, inputs: Inputs, cfg: Config, rules: list[Rule], files: Collection[str] | None = None,
                 cache: Any = False, root: str | None = None, verify: bool = False):
        self.inputs, self.cfg, self.rules, self.verify = inputs, cfg, rules, verify
        self.root = root or inputs.root
        self.prefix = _prefix(self.root, inputs.root)  # what paths of `root` start with, seen from inputs.root
        self.files = None if files is None else {  # given from inputs.root; kept from `root`
            f[len(self.prefix) + 1:] if self.prefix else f for f in files
            if not self.prefix or f.startswith(self.prefix + "/")}
        self.cache = _open_cache(self.root) if cache is True else (cache or None)
        self.workspace: Workspace | None = None  # the model load() built last

    def load(self, overlay: Mapping[str, str] | None = None) -> Workspace:
        """The model, with `overlay` (root-relative path -> text) read instead of those files."""
        from gwlint.model.workspace import load_workspace

        inputs, cfg = self.inputs, self.cfg
        try:
            self.workspace = load_workspace(self.root, nginx=inputs.nginx, fpm=inputs.fpm, php_ini=inputs.php_ini,
                                            options=cfg.model_options(), path_map=cfg.paths,
                                            overlay={**(overlay or {}), **inputs.overlay}, cache=self.cache)
        except InputError as exc:
            raise self.rebased(exc) from None
        return self.workspace

    def lint(self, ws: Workspace) -> list[Finding]:
        """The rules' findings, kept to those in (or related to) `files` when given."""
        from gwlint.engine import runner

        found = runner.run(ws, self.rules, self.cfg)
        if self.files is None:
            return found
        files = self.files
        return [f for f in found if not f.path or f.path in files or any(r.path in files for r in f.related)]

    def verified(self, ws: Workspace, overlay: Mapping[str, str] | None = None) -> tuple[list[Finding], list[str]]:
        """With `verify`: `nginx -t`/`php-fpm -t` on a relocated copy (with `overlay`), as findings and
        notes on what was skipped; else nothing."""
        if not self.verify:
            return [], []
        from pathlib import Path

        from gwlint.verify.nginx_t import verify as run_verify

        def entries(paths: list[str]) -> list[str]:
            return [ws.root.rel(os.path.abspath(p)) for p in paths]

        return run_verify(Path(self.root), dict(overlay) if overlay is not None else None,
                          nginx=entries(self.inputs.nginx), fpm=entries(self.inputs.fpm))

    def rebase(self, findings: list[Finding]) -> list[Finding]:
        """Findings of `root` with paths shown from inputs.root."""
        if not self.prefix:
            return findings
        from gwlint.load.roots import rebase

        return rebase(findings, self.prefix)

    def rebased(self, exc: InputError) -> InputError:
        """An input error of `root` with its path shown from inputs.root."""
        if self.prefix and exc.path and not os.path.isabs(exc.path):
            exc.path = f"{self.prefix}/{exc.path}"
        return exc

    def save_cache(self) -> None:
        if self.cache is not None:
            self.cache.save()


def _prefix(root: str, top: str) -> str:
    if root == top:
        return ""
    from gwlint.load.roots import prefix_of

    return prefix_of(root, top)


def _open_cache(root: str) -> Any:
    if not os.path.isdir(root):
        return None
    from gwlint.load.cache import open_cache

    return open_cache(root)


def _inputs(root: str | os.PathLike | Inputs, nginx: Iterable[str | os.PathLike],
            fpm: Iterable[str | os.PathLike], php_ini: Iterable[str | os.PathLike]) -> Inputs:
    if isinstance(root, Inputs):
        return root
    from gwlint.load.inputs import tree_inputs

    return tree_inputs(os.fspath(root), [os.fspath(p) for p in nginx], [os.fspath(p) for p in fpm],
                       [os.fspath(p) for p in php_ini])


def _rules(rules: list[Rule] | None) -> list[Rule]:
    if rules is not None:
        return rules
    from gwlint.engine.registry import load_rules

    return load_rules()


@contextmanager
def _gc_on() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.enable()
    try:
        yield
    finally:
        if not enabled:
            gc.disable()
