"""The command line: `gwlint check [ROOT]`."""

import os
import sys
from contextlib import contextmanager
from enum import Enum
from pathlib import Path

import typer

from gwlint import __version__
from gwlint.errors import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, EXIT_INTERNAL, InputError, RuleError

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


def _nginx_version(value: str | None) -> str | None:
    from gwlint.model.workspace import Options

    if value is not None:
        try:
            Options(nginx_version=value)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None
    return value


@app.command()
def check(
    paths: list[Path] | None = typer.Argument(
        None, metavar="[ROOT] [FILE]...",
        help="ROOT: a config tree laid out like / (etc/nginx, etc/php...), or an nginx config dir "
             "with nginx.conf at its top [default: .]. FILEs (as pre-commit passes them): the "
             "model is still built from all of ROOT, but only findings located in (or related "
             "to) these files are reported and fixed."),
    root_option: Path | None = typer.Option(None, "--root", help="ROOT as an option: every argument is "
                                               "then a FILE (the pre-commit hooks pass --root .)."),
    nginx: list[Path] = typer.Option([], "--nginx", help="nginx entry file (repeatable); replaces the "
                                     "discovery of nginx entry files."),
    fpm: list[Path] = typer.Option([], "--fpm", help="php-fpm main config (repeatable); replaces the "
                                   "discovery of FPM configs."),
    php_ini: list[Path] = typer.Option([], "--php-ini", help="php.ini file(s) read by every FPM, in order."),
    nginx_dump: str | None = typer.Option(None, "--nginx-dump", metavar="FILE|-",
                                             help="Lint `nginx -T` output (- reads stdin) instead of a tree."),
    fpm_dump: list[str] = typer.Option([], "--fpm-dump", metavar="FILE|-",
                                       help="Lint `php-fpm -tt 2>&1` output (- reads stdin); one per "
                                       "php-fpm master (repeatable)."),
    context: Context | None = typer.Option(None, "--context", help="ROOT is one nginx file whose "
                                              "directives sit in this context (auto: guessed from them)."),
    output_format: Format = typer.Option(Format.text, "--format", help="Output format."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write the report to this file."),
    diff: bool = typer.Option(False, "--diff", help="Print the fixes as one unified diff; change nothing."),
    fix: bool = typer.Option(False, "--fix", help="Apply safe fixes in place."),
    unsafe_fixes: bool = typer.Option(False, "--unsafe-fixes", help="Also apply fixes marked unsafe."),
    config_file: Path | None = typer.Option(None, "--config", help="Config file (.gwlint.toml or "
                                               "pyproject.toml) [default: found upward from ROOT]."),
    select: str | None = typer.Option(None, help="Comma-separated codes or prefixes to run (overrides config)."),
    ignore: str | None = typer.Option(None, help="Comma-separated codes or prefixes to skip (overrides config)."),
    fail_on: str | None = typer.Option(None, help="Lowest severity that makes the exit code 1: error, "
                                          "warning or info [default: info]."),
    nginx_user: str | None = typer.Option(None, help="nginx worker user when nginx.conf sets none "
                                             "[default: nobody]."),
    fpm_master_user: str | None = typer.Option(None, help="User the php-fpm master runs as [default: root]."),
    nginx_version: str | None = typer.Option(None, help="nginx version whose defaults apply, e.g. 1.30 "
                                                "[default: 1.22, Debian 12's].", callback=_nginx_version),
    memory_budget: str | None = typer.Option(None, help="Memory all PHP-FPM pools may use (e.g. 2G, 512M); "
                                                "enables the pm.max_children x memory_limit check."),
    strict_backends: bool = typer.Option(False, "--strict-backends",
                                         help="Report local proxy targets the tree declares no backend for."),
    verify: bool = typer.Option(False, "--verify", help="Also run nginx -t and php-fpm -t on a relocated temp "
                                "copy of the tree (the fixed one with --fix/--diff), where installed."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Say what was found where (on stderr)."),
    no_cache: bool = typer.Option(False, "--no-cache", envvar="GWLINT_NO_CACHE",
                                  help="Parse every file; do not read or write ROOT/.gwlint_cache/."),
) -> None:
    """Check a config tree; exit 0 clean, 1 findings (or a non-empty --diff), 2 bad input or usage,
    3 internal error."""
    overrides = {key: value for key, value in (
        ("select", select and _split(select)), ("ignore", ignore and _split(ignore)), ("fail-on", fail_on),
        ("nginx-user", nginx_user), ("fpm-master-user", fpm_master_user), ("memory-budget", memory_budget),
        ("strict-backends", strict_backends or None), ("nginx-version", nginx_version)) if value is not None}
    try:
        root, files = _split_paths(root_option, paths or [])
        given = bool(paths or root_option)
        with _inputs(root if given else None, nginx, fpm, php_ini, nginx_dump, fpm_dump, context, diff,
                     fix) as inputs:
            code = _check(root, inputs, files, output_format, output, diff, fix, unsafe_fixes,
                          config_file, overrides, verify, verbose,
                          no_cache or nginx_dump is not None or bool(fpm_dump))  # a dump's temp tree: no cache
    except (InputError, RuleError) as exc:  # RuleError: a rule plugin that cannot be used
        typer.echo(f"gwlint: error: {exc}", err=True)
        raise typer.Exit(EXIT_ERROR) from None
    except Exception as exc:  # a bug in gwlint: one line, a distinct exit code, never "clean"
        if os.environ.get("GWLINT_DEBUG"):
            import traceback
            traceback.print_exc()
        typer.echo(f"gwlint: internal error: {type(exc).__name__}: {exc} "
                   "(GWLINT_DEBUG=1 shows the traceback; please report it)", err=True)
        raise typer.Exit(EXIT_INTERNAL) from None
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
           config_file, overrides, verify=False, verbose=False, no_cache=False) -> int:
    from gwlint import api
    from gwlint.engine import config
    from gwlint.engine.registry import load_rules
    from gwlint.model.workspace import gc_paused

    rules = load_rules()
    cfg = api.configure(config_file or config.find(config_root) or {}, overrides=overrides, rules=rules)
    if not (diff or fix):
        with gc_paused():  # one model, kept to the end: collections would only rescan it
            result = api.lint(inputs, cfg, files=files, verify=verify, cache=not no_cache, rules=rules)
            if verbose:
                from gwlint.output.inventory import describe

                typer.echo(describe(result.workspace), err=True, nl=False)
            _notes(result)
            _emit(result.findings, output_format, output, inputs.shown, result.workspace, result.rules)
        return result.exit_code
    result = api.fix(inputs, cfg, unsafe=unsafe_fixes, write=fix, files=files, verify=verify,
                     cache=not no_cache, rules=rules)
    fixed = result.fixes
    if diff:
        from gwlint.fix.loop import FIX_PROBLEMS

        patch = result.diff
        _write(patch, output)
        for problem in (f for f in fixed.remaining if f.code in FIX_PROBLEMS):
            typer.echo(f"{problem.path}:{problem.line}: {problem.code} {problem.message}", err=True)
        if fixed.applied or fixed.remaining:
            typer.echo(f"gwlint: the diff fixes {len(fixed.applied)} finding(s); "
                       f"{len(fixed.remaining)} remain", err=True)
        _notes(result)
        if result.verified:
            from gwlint.output import report

            sys.stderr.write(report.as_text(result.verified))
        return EXIT_FINDINGS if patch or result.verified else EXIT_CLEAN
    for finding in fixed.applied:
        typer.echo(f"fixed {finding.path}:{finding.line}: {finding.code} {finding.fix.title}", err=True)
    _notes(result)
    _emit(result.findings, output_format, output, inputs.shown, result.workspace, result.rules)
    return result.exit_code


def _notes(result) -> None:
    for note in result.notes:
        typer.echo(note, err=True)


def _emit(findings, output_format: Format, output: Path | None, root: Path, ws, rules) -> None:
    from gwlint.output import report

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
            try:
                return ws.root.read_text(ws.root.path / rel)
            except InputError:
                return None
        text = report.as_text(findings, source, color=output is None and report.use_color(sys.stdout))
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

    try:
        sys.stdout.write(ruledocs.table(output_format.value))
    except RuleError as exc:
        typer.echo(f"gwlint: error: {exc}", err=True)
        raise typer.Exit(EXIT_ERROR) from None


@app.command("rule")
def rule_command(code: str = typer.Argument(..., help="A code (GW301) or name (fastcgi-pass-no-pool).")) -> None:
    """Print one rule's documentation."""
    from gwlint.engine import ruledocs

    try:
        sys.stdout.write(ruledocs.describe(code))
    except (InputError, RuleError) as exc:
        typer.echo(f"gwlint: error: {exc}", err=True)
        raise typer.Exit(EXIT_ERROR) from None


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
        raise SystemExit(code) from None
    os._exit(code)
