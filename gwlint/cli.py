"""The command line: `gwlint check [ROOT]`."""

from contextlib import contextmanager
from enum import Enum
import os
from pathlib import Path
import sys
from typing import Optional

import typer

from gwlint import __version__
from gwlint.errors import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, EXIT_INTERNAL, InputError

app = typer.Typer(
    add_completion=True,
    no_args_is_help=True,
    help="Lint nginx + PHP-FPM + php.ini configuration against each other: catch 502s and 504s "
         "before they ship.",
)


class Format(str, Enum):
    text = "text"
    json = "json"
    sarif = "sarif"
    github = "github"


class Context(str, Enum):
    auto = "auto"
    main = "main"
    http = "http"
    server = "server"
    location = "location"


class RulesFormat(str, Enum):
    text = "text"
    markdown = "markdown"
    json = "json"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"gwlint {__version__}")
        raise typer.Exit()


@app.callback()
def _main(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Show the version and exit.")) -> None:
    """gwlint: nginx + PHP-FPM cross-checks."""


def _nginx_version(value: Optional[str]) -> Optional[str]:
    from gwlint.model.workspace import Options

    if value is not None:
        try:
            Options(nginx_version=value)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None
    return value


@app.command()
def check(
    paths: Optional[list[Path]] = typer.Argument(
        None, metavar="[ROOT] [FILE]...",
        help="ROOT: a config tree laid out like / (etc/nginx, etc/php...), or an nginx config dir "
             "with nginx.conf at its top [default: .]. FILEs (as pre-commit passes them): the "
             "model is still built from all of ROOT, but only findings located in (or related "
             "to) these files are reported and fixed."),
    root_option: list[Path] = typer.Option([], "--root", help="ROOT as an option: every argument is then a "
                                           "FILE. Repeatable: each tree is linted as its own model, paths "
                                           "relative to the current directory."),
    nginx: list[Path] = typer.Option([], "--nginx", help="nginx entry file (repeatable); replaces the "
                                     "discovery of nginx entry files."),
    fpm: list[Path] = typer.Option([], "--fpm", help="php-fpm main config (repeatable); replaces the "
                                   "discovery of FPM configs."),
    php_ini: list[Path] = typer.Option([], "--php-ini", help="php.ini file(s) read by every FPM, in order."),
    nginx_dump: Optional[str] = typer.Option(None, "--nginx-dump", metavar="FILE|-",
                                             help="Lint `nginx -T` output (- reads stdin) instead of a tree."),
    fpm_dump: list[str] = typer.Option([], "--fpm-dump", metavar="FILE|-",
                                       help="Lint `php-fpm -tt 2>&1` output (- reads stdin); one per "
                                       "php-fpm master (repeatable)."),
    context: Optional[Context] = typer.Option(None, "--context", help="ROOT is one nginx file whose "
                                              "directives sit in this context (auto: guessed from them)."),
    output_format: Format = typer.Option(Format.text, "--format", help="Output format."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the report to this file."),
    diff: bool = typer.Option(False, "--diff", help="Print the fixes as one unified diff; change nothing."),
    fix: bool = typer.Option(False, "--fix", help="Apply safe fixes in place."),
    unsafe_fixes: bool = typer.Option(False, "--unsafe-fixes", help="Also apply fixes marked unsafe."),
    config_file: Optional[Path] = typer.Option(None, "--config", help="Config file (.gwlint.toml or "
                                               "pyproject.toml) [default: found upward from ROOT]."),
    select: Optional[str] = typer.Option(None, help="Comma-separated codes or prefixes to run (overrides config)."),
    ignore: Optional[str] = typer.Option(None, help="Comma-separated codes or prefixes to skip (overrides config)."),
    fail_on: Optional[str] = typer.Option(None, help="Lowest severity that makes the exit code 1: error, "
                                          "warning or info [default: info]."),
    nginx_user: Optional[str] = typer.Option(None, help="nginx worker user when nginx.conf sets none "
                                             "[default: nobody]."),
    fpm_master_user: Optional[str] = typer.Option(None, help="User the php-fpm master runs as [default: root]."),
    nginx_version: Optional[str] = typer.Option(None, help="nginx version whose defaults apply, e.g. 1.30 "
                                                "[default: 1.22, Debian 12's].", callback=_nginx_version),
    memory_budget: Optional[str] = typer.Option(None, help="Memory all PHP-FPM pools may use (e.g. 2G, 512M); "
                                                "enables the pm.max_children x memory_limit check."),
    strict_backends: bool = typer.Option(False, "--strict-backends",
                                         help="Report local proxy targets the tree declares no backend for."),
    verify: bool = typer.Option(False, "--verify", help="Also run nginx -t and php-fpm -t on a relocated temp "
                                "copy of the tree (the fixed one with --fix/--diff), where installed."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Say what was found where (on stderr)."),
    staged: bool = typer.Option(False, "--staged", help="Lint the commit being made (the git index; under "
                                "pre-commit --from-ref/--to-ref, the pushed tree): report findings in the changed "
                                "files and the FILEs, and those the change causes. Every argument is a FILE."),
    no_cache: bool = typer.Option(False, "--no-cache", envvar="GWLINT_NO_CACHE", help="Parse every file; do not read or write "
                                  "ROOT/.gwlint_cache/."),
) -> None:
    """Check a config tree; exit 0 clean, 1 findings (or a non-empty --diff), 2 bad input or usage,
    3 internal error."""
    overrides = {key: value for key, value in (
        ("select", select and _split(select)), ("ignore", ignore and _split(ignore)), ("fail-on", fail_on),
        ("nginx-user", nginx_user), ("fpm-master-user", fpm_master_user), ("memory-budget", memory_budget),
        ("strict-backends", strict_backends or None), ("nginx-version", nginx_version)) if value is not None}
    try:
        roots = list(dict.fromkeys(root_option))
        if staged:
            if fix or diff or nginx or fpm or context is not None or nginx_dump is not None or fpm_dump \
                    or len(roots) > 1:
                raise InputError("--staged lints the commit as it is: drop --fix, --diff, --nginx, --fpm, "
                                 "--context, the dumps and a second --root")
            code = _check_staged(roots[0] if roots else Path("."), paths or [], php_ini, output_format, output,
                                 config_file, overrides, verify, verbose)
            raise typer.Exit(code)
        if len(roots) > 1 and (nginx or fpm or context is not None or nginx_dump is not None or fpm_dump):
            raise InputError("several --root: drop --nginx, --fpm, --context and the dumps")
        root, files = _split_paths(Path(".") if len(roots) > 1 else (roots or [None])[0], paths or [])
        given = bool(paths or roots)
        with _inputs(root if given else None, nginx, fpm, php_ini, nginx_dump, fpm_dump, context, diff,
                     fix) as inputs:
            code = _check(root, inputs, files, output_format, output, diff, fix, unsafe_fixes,
                          config_file, overrides, verify, verbose,
                          no_cache or nginx_dump is not None or bool(fpm_dump),  # a dump's temp tree: no cache
                          roots if len(roots) > 1 else None)
    except typer.Exit:
        raise
    except InputError as exc:
        typer.echo(f"gwlint: error: {exc}", err=True)
        raise typer.Exit(EXIT_ERROR)
    except OSError as exc:  # the file system refused something not caught where it was read
        from gwlint.errors import short_name

        where = f": {short_name(os.fsdecode(exc.filename))}" if exc.filename is not None else ""
        typer.echo(f"gwlint: error: cannot read{where}: {exc.strerror or exc}", err=True)
        raise typer.Exit(EXIT_ERROR)
    except Exception as exc:  # a bug in gwlint: one line, a distinct exit code, never "clean"
        if os.environ.get("GWLINT_DEBUG"):
            import traceback
            traceback.print_exc()
        typer.echo(f"gwlint: internal error: {type(exc).__name__}: {exc} "
                   "(GWLINT_DEBUG=1 shows the traceback; please report it)", err=True)
        raise typer.Exit(EXIT_INTERNAL)
    raise typer.Exit(code)


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _split_paths(root: Path | None, paths: list[Path]) -> tuple[Path, set[str] | None]:
    """ROOT (--root, else the first argument, else `.`) and the root-relative FILEs, if any."""
    if root is None:
        root, paths = (paths[0], paths[1:]) if paths else (Path("."), [])
    if not paths:
        return root, None
    files = set()
    for path in paths:
        if not path.exists():
            raise InputError("no such file", str(path))
        if path.is_dir():
            raise InputError("expected a file: only ROOT is a directory", str(path))
        rel = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
        if not rel.startswith(".." + os.sep) and rel != "..":
            files.add(Path(rel).as_posix())  # files outside ROOT hold no findings
    return root, files


@contextmanager
def _inputs(root, nginx, fpm, php_ini, nginx_dump, fpm_dump, context, diff, fix):
    """What to lint (an Inputs): the tree, one nginx file in a context, or dumps in a temp tree."""
    from gwlint.load.inputs import file_inputs, tree_inputs

    if nginx_dump is not None or fpm_dump:
        if root is not None or nginx or fpm or context is not None:
            raise InputError("--nginx-dump/--fpm-dump lint the dump alone: drop ROOT, --nginx, --fpm, --context")
        if fix or (diff and fpm_dump):
            raise InputError("a dump cannot be fixed in place: use --diff with --nginx-dump, then patch -p1 -d /")
        from gwlint.load.dumps import materialize

        with materialize(nginx_dump, fpm_dump, php_ini) as tree:
            yield tree
        return
    root = root or Path(".")
    if context is not None:
        if nginx or fpm or php_ini:
            raise InputError("one FILE is linted alone: drop --nginx, --fpm, --php-ini", str(root))
        yield file_inputs(root, None if context is Context.auto else context.value)
        return
    yield tree_inputs(root, nginx, fpm, php_ini)


def _check(config_root, inputs, files, output_format, output, diff, fix, unsafe_fixes,
           config_file, overrides, verify=False, verbose=False, no_cache=False, given_roots=None,
           keep=None) -> int:
    """Lint every root ROOT holds (one model each; `given_roots`: several --root, each searched),
    report with paths relative to ROOT."""
    from gwlint.engine import config, runner as engine
    from gwlint.engine.registry import load_rules
    from gwlint.load.roots import find_roots

    rules = load_rules()
    cfg = config.load(config_file or config.find(config_root), engine.known_codes(rules), overrides)
    explicit = bool(inputs.nginx or inputs.fpm or inputs.overlay)
    if given_roots:
        for given in given_roots:
            if not given.is_dir():
                raise InputError("no such directory", str(given))
        roots = list(dict.fromkeys(r for given in given_roots for r in find_roots(given)))
    else:
        roots = [inputs.root] if explicit or not inputs.root.is_dir() else find_roots(inputs.root)
    runs = [_RootRun(root, inputs, files, rules, cfg, verify, no_cache) for root in roots]
    if diff or fix:
        return _check_fix(runs, cfg, inputs, output_format, output, diff, unsafe_fixes)
    from gwlint.model.workspace import gc_paused

    with gc_paused():  # one model per root, kept to the end: collections would only rescan them
        findings = _lint_all(runs, inputs)
        if keep is not None:
            findings = [f for f in findings if keep(f)]
        if verbose:
            from gwlint.output.inventory import describe

            for run in _linted(runs):
                typer.echo(describe(run.ws, run.prefix), err=True, nl=False)
        findings.sort(key=lambda f: f.sort_key())
        _emit(findings, output_format, output, inputs.shown, runs, rules)
    return EXIT_FINDINGS if any(cfg.fails(f.severity) for f in findings) else EXIT_CLEAN


def _lint_all(runs, inputs) -> list:
    """Every root's findings, rebased onto ROOT; exit 2 (InputError) when nothing was linted."""
    findings = []
    for run in runs:
        run.ws = run.load()
        if run.cache is not None:
            run.cache.save()
    _require_something(runs, inputs)
    for run in _linted(runs):
        findings += run.rebase(run.lint(run.ws) + run.verified(run.ws))
    return findings


def _check_staged(root, paths, php_ini, output_format, output, config_file, overrides, verify, verbose) -> int:
    """Lint the commit being made; report what is in the changed files (and FILEs) or new against
    the baseline (a deleted pool breaks a site nobody touched)."""
    from gwlint.engine import config, runner as engine
    from gwlint.engine.registry import load_rules
    from gwlint.load.gitsnap import staged
    from gwlint.load.inputs import tree_inputs
    from gwlint.load.roots import find_roots
    from gwlint.model.workspace import gc_paused

    given = set()
    for path in paths:  # FILEs as pre-commit passes them (they may be gone from the work tree)
        rel = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
        if not rel.startswith(".." + os.sep) and rel != "..":
            given.add(Path(rel).as_posix())
    rules = load_rules()
    cfg = config.load(config_file or config.find(root), engine.known_codes(rules), overrides)
    with staged(root) as snap:
        before: set = set()
        if snap.baseline is not None:
            base_inputs = tree_inputs(snap.baseline, [], [], [])
            base_runs = [_RootRun(r, base_inputs, None, rules, cfg, False, True) for r in find_roots(snap.baseline)]
            try:
                with gc_paused():
                    before = {(f.path, f.code, f.message) for f in _lint_all(base_runs, base_inputs)}
            except InputError:  # the baseline did not lint: everything found now counts
                before = set()
        changed = snap.changed | given

        def keep(f) -> bool:
            return f.path in changed or any(r.path in changed for r in f.related) or \
                (f.path, f.code, f.message) not in before

        inputs = tree_inputs(snap.root, [], [], [Path(os.path.abspath(p)) for p in php_ini])
        inputs.shown = root
        return _check(root, inputs, None, output_format, output, False, False, False, config_file, overrides,
                      verify, verbose, True, keep=keep)


class _RootRun:
    """One root's pipeline: load (with an overlay of fixes), lint, verify; paths rebased onto ROOT."""

    def __init__(self, root, inputs, files, rules, cfg, verify, no_cache):
        from gwlint.load.roots import prefix_of

        self.root, self.inputs, self.rules, self.cfg, self.verify = root, inputs, rules, cfg, verify
        self.prefix = prefix_of(root, inputs.root)
        self.files = None if files is None else {
            f[len(self.prefix) + 1:] if self.prefix else f for f in files
            if not self.prefix or f.startswith(self.prefix + "/")}
        self.cache = None
        if not no_cache and root.is_dir() and not inputs.overlay and not inputs.shown.is_file():  # a FILE: none
            from gwlint.load.cache import open_cache

            self.cache = open_cache(root)
        self.ws = None

    def load(self, overlay=None):
        from gwlint.model.workspace import load_workspace

        return load_workspace(self.root, nginx=self.inputs.nginx, fpm=self.inputs.fpm,
                              php_ini=self.inputs.php_ini, options=self.cfg.model_options(),
                              path_map=self.cfg.paths, overlay={**(overlay or {}), **self.inputs.overlay},
                              cache=self.cache)

    def lint(self, ws):
        from gwlint.engine import runner as engine

        found = engine.run(ws, self.rules, self.cfg)
        if self.files is None:
            return found
        return [f for f in found if not f.path or f.path in self.files
                or any(r.path in self.files for r in f.related)]

    def verified(self, ws, overlay=None):
        if not self.verify:
            return []
        from gwlint.verify.nginx_t import verify as run_verify

        def entries(paths):
            return [ws.root.rel(p if p.is_absolute() else Path(os.path.abspath(p))) for p in paths]

        found, notes = run_verify(self.root, overlay, nginx=entries(self.inputs.nginx),
                                  fpm=entries(self.inputs.fpm))
        for note in notes:
            typer.echo(note, err=True)
        return found

    def rebase(self, findings):
        from gwlint.load.roots import rebase

        return rebase(findings, self.prefix)

    @property
    def empty(self) -> bool:
        return self.ws is not None and not self.ws.nginx and not self.ws.installs


def _linted(runs):
    return [run for run in runs if not run.empty]


def _require_something(runs, inputs) -> None:
    """Fail closed: a run that read no nginx and no FPM config is an error, never a pass."""
    from gwlint.load.discover import LOOKED_FOR

    if not _linted(runs):
        raise InputError(f"no nginx or PHP-FPM configuration found (looked for {LOOKED_FOR})",
                         str(inputs.shown))
    if inputs.php_ini and not any(run.ws.installs for run in runs):
        raise InputError("--php-ini: no PHP-FPM configuration found to apply it to", str(inputs.shown))


def _check_fix(runs, cfg, inputs, output_format, output, diff, unsafe_fixes) -> int:
    import gc

    from gwlint.fix import loop as fixer

    gc.enable()  # each pass builds a new model: the old ones are cyclic garbage to collect
    results = []
    for run in runs:
        result = fixer.fix_loop(run.load, run.lint, unsafe=unsafe_fixes)
        if run.cache is not None:
            run.cache.save()
        run.ws = result.workspace
        results.append((run, result))
    _require_something(runs, inputs)
    results = [(run, result) for run, result in results if not run.empty]
    if diff:
        patch, failures, applied, remaining = "", [], 0, 0
        for run, result in results:
            patch += fixer.unified_diff(result, run.prefix)
            run.rebase(result.applied)
            run.rebase(result.remaining)
            for problem in (f for f in result.remaining if f.code in fixer.FIX_PROBLEMS):
                typer.echo(f"{problem.path}:{problem.line}: {problem.code} {problem.message}", err=True)
            applied, remaining = applied + len(result.applied), remaining + len(result.remaining)
            failures += run.rebase(run.verified(result.workspace, result.fixed))
        _write(patch, output)
        if applied or remaining:
            typer.echo(f"gwlint: the diff fixes {applied} finding(s); {remaining} remain", err=True)
        if failures:
            from gwlint.output import report

            sys.stderr.write(report.as_text(failures))
        return EXIT_FINDINGS if patch or failures else EXIT_CLEAN
    for run, result in results:
        fixer.write_fixed(result.workspace, result)
    remaining = []
    for run, result in results:
        for finding in run.rebase(result.applied):
            typer.echo(f"fixed {finding.path}:{finding.line}: {finding.code} {finding.fix.title}", err=True)
        remaining += run.rebase(result.remaining + run.verified(result.workspace))
    remaining.sort(key=lambda f: f.sort_key())
    _emit(remaining, output_format, output, inputs.shown, [run for run, _ in results], None)
    return EXIT_FINDINGS if any(cfg.fails(f.severity) for f in remaining) else EXIT_CLEAN


def _emit(findings, output_format: Format, output: Path | None, root: Path, runs, rules) -> None:
    from gwlint.output import report
    from gwlint.output.inventory import linted

    if rules is None:
        from gwlint.engine.registry import load_rules

        rules = load_rules()

    prefix = Path(os.path.relpath(os.path.abspath(root))).as_posix()
    if output_format is Format.json:
        text = report.as_json(findings, root.as_posix())
    elif output_format is Format.sarif:
        from gwlint.output.sarif import as_sarif
        text = as_sarif(findings, rules, prefix)
    elif output_format is Format.github:
        text = report.as_github(findings, prefix)
    else:
        def source(rel: str) -> str | None:
            for run in runs:
                if not run.prefix or rel.startswith(run.prefix + "/"):
                    try:
                        return run.ws.root.read_text(run.ws.root.path / rel[len(run.prefix):].lstrip("/"))
                    except (InputError, OSError):
                        return None
            return None
        text = report.as_text(findings, source, color=output is None and report.use_color(sys.stdout),
                              checked=[linted(run.ws, run.prefix) for run in _linted(runs)])
    _write(text, output)


def _write(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write the report: {exc.strerror or exc}", str(output)) from None


@app.command("rules")
def rules_command(output_format: RulesFormat = typer.Option(RulesFormat.text, "--format",
                                                           help="text, markdown (the README table) or json.")) -> None:
    """List every code: rules and the tool's own GW9xx, with severity and whether --fix can fix it."""
    from gwlint.engine import ruledocs

    sys.stdout.write(ruledocs.table(output_format.value))


@app.command("rule")
def rule_command(code: str = typer.Argument(..., help="A code (GW301) or name (fastcgi-pass-no-pool).")) -> None:
    """Print one rule's documentation."""
    from gwlint.engine import ruledocs

    try:
        sys.stdout.write(ruledocs.describe(code))
    except InputError as exc:
        typer.echo(f"gwlint: error: {exc}", err=True)
        raise typer.Exit(EXIT_ERROR)


def main() -> None:
    """The console script. Exits with os._exit once output is flushed: freeing a large model
    object by object at shutdown costs more than building it (~1 s of 5 on 10,000 sites).
    The cyclic GC stays off for the same reason: the model lives until exit (--fix turns it on)."""
    import gc

    gc.disable()
    try:
        app(prog_name="gwlint")
    except SystemExit as exc:
        code = exc.code
    else:
        code = 0
    if not isinstance(code, int):
        if code is not None:
            print(code, file=sys.stderr)
        code = 0 if code is None else 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a closed pipe: let the interpreter report it as usual
        raise SystemExit(code)
    os._exit(code)
