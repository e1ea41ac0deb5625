"""Helpers for rule tests (ours and outside rule packs): lint an inline tree, check expectations.

    r = lint({"etc/nginx/nginx.conf": NGINX, "etc/php/8.2/fpm/php-fpm.conf": FPM}, tmp_path)
    r.assert_expected()          # every `# expect: GW301` / `; expect: GW301` line, and no other
    assert r.fixed_line("etc/nginx/nginx.conf", 7) == "    fastcgi_pass unix:/run/php/php8.2-fpm.sock;"
    assert r.relint().findings == []
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gwlint import api
from gwlint.engine.config import Config
from gwlint.engine.finding import Finding
from gwlint.engine.registry import load_rules
from gwlint.fix import loop as fixer
from gwlint.model.workspace import Options, Workspace

_EXPECT = re.compile(r"[#;]\s*expect:\s*([A-Z]{2,5}\d{3}(?:\s*,\s*[A-Z]{2,5}\d{3})*)")


@dataclass
class LintResult:
    root: Path
    workspace: Workspace
    findings: list[Finding]
    options: Options
    codes_only: tuple[str, ...] | None = None  # the rules run (and expectations checked); None: all
    config: Config = field(default_factory=Config)
    _fixed: dict[bool, fixer.FixResult] = field(default_factory=dict)  # by `unsafe`

    def codes(self) -> list[str]:
        return [f.code for f in self.findings]

    def at(self, path: str, line: int) -> list[Finding]:
        return [f for f in self.findings if f.path == path and f.line == line]

    def expected(self) -> set[tuple[str, int, str]]:
        """(path, line, code) for every `expect:` comment in the tree."""
        out = set()
        # symlinks (sites-enabled/x -> ../sites-available/x) are read under their target's path
        for file in sorted(p for p in self.root.rglob("*") if p.is_file() and not p.is_symlink()):
            rel = file.relative_to(self.root).as_posix()
            for number, line in enumerate(file.read_text(errors="replace").splitlines(), 1):
                m = _EXPECT.search(line)
                if m:
                    out |= {(rel, number, code.strip()) for code in m.group(1).split(",")}
        return out

    def assert_expected(self) -> None:
        got = {(f.path, f.line, f.code) for f in self.findings
               if self.codes_only is None or f.code in self.codes_only}
        want = self.expected()
        if self.codes_only is not None:
            want = {w for w in want if w[2] in self.codes_only}
        assert got == want, f"missing: {sorted(want - got)}; unexpected: {sorted(got - want)}\n" + \
            "\n".join(f"{f.path}:{f.line}: {f.code} {f.message}" for f in self.findings)

    def fixed(self, unsafe: bool = False) -> fixer.FixResult:
        if unsafe not in self._fixed:
            fixes = api.fix(self.root, self.config, unsafe=unsafe, rules=_rules(self.codes_only)).fixes
            assert fixes is not None
            self._fixed[unsafe] = fixes
        return self._fixed[unsafe]

    def fixed_text(self, path: str, unsafe: bool = False) -> str:
        result = self.fixed(unsafe)
        return result.fixed.get(path, (self.root / path).read_text())

    def fixed_line(self, path: str, line: int, unsafe: bool = False) -> str:
        return self.fixed_text(path, unsafe).splitlines()[line - 1]

    def relint(self, unsafe: bool = False) -> "LintResult":
        """Write the fixes and lint again."""
        result = self.fixed(unsafe)
        fixer.write_fixed(result.workspace, result)
        return _lint(self.root, self.config, self.options, self.codes_only)


def write_tree(files: dict[str, str], root: Path) -> Path:
    """Write `files` (root-relative path -> text) under `root` (pytest's tmp_path: a temp dir made
    here would outlive the test)."""
    root = Path(root)
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def _rules(select: tuple[str, ...] | None):
    """The rules whose code is in `select` (all rules for None)."""
    rules = load_rules()
    return rules if select is None else [r for r in rules if r.code in select]


def lint_tree(root: Path, options: Options = Options(), select=None, ignore=(),
              config: Mapping[str, Any] | None = None) -> LintResult:
    """Lint a tree on disk through gwlint.api.lint, as the command line does.

    `select` runs only those rule codes, `ignore` all but those; `config` is a table as in
    `.gwlint.toml` (no config file is looked up); `options` sets the model's global Options.
    """
    if ignore:
        select = [r.code for r in load_rules() if r.code not in ignore and (select is None or r.code in select)]
    select = tuple(select) if select is not None else None
    cfg = api.configure(dict(config or {}))
    cfg.options = {**{name: getattr(options, name) for name in options.__slots__}, **cfg.options}
    return _lint(root, cfg, options, select)


def _lint(root: Path, cfg: Config, options: Options, select: tuple[str, ...] | None) -> LintResult:
    result = api.lint(root, cfg, rules=_rules(select))
    return LintResult(root, result.workspace, result.findings, options, select, cfg)


def lint(files: dict[str, str], root: Path, options: Options = Options(),
         select=None, ignore=(), config: Mapping[str, Any] | None = None) -> LintResult:
    """Write `files` (root-relative path -> text) under `root` (e.g. tmp_path) and lint them."""
    return lint_tree(write_tree(files, root), options, select, ignore, config)


@dataclass
class CliResult:
    """What a command-line run gave: exit code, stdout, stderr, and both interleaved (`output`)."""

    exit_code: int
    stdout: str
    stderr: str
    output: str
    exception: BaseException | None = None


class CliRunner:
    """Runs `gwlint.cli.app` in-process (as typer's CliRunner did): `CliRunner().invoke(app, args)`."""

    def invoke(self, app, args, input: str | bytes | None = None) -> CliResult:
        import io
        import sys

        both: list[str] = []

        class Tee(io.StringIO):
            def write(self, text: str) -> int:
                both.append(text)
                return super().write(text)

            def isatty(self) -> bool:
                return False

        out, err = Tee(), Tee()
        data = input.encode() if isinstance(input, str) else (input or b"")
        stdin = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")
        saved = sys.stdout, sys.stderr, sys.stdin
        sys.stdout, sys.stderr, sys.stdin = out, err, stdin
        exception: BaseException | None = None
        try:
            code = app([str(a) for a in args])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
            exception = exc
        except Exception as exc:
            code, exception = 1, exc
        finally:
            sys.stdout, sys.stderr, sys.stdin = saved
        return CliResult(code, out.getvalue(), err.getvalue(), "".join(both), exception)
