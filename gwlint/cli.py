"""The command line: `gwlint check [ROOT]`."""

from enum import Enum
import os
from pathlib import Path
import sys
from typing import Optional

import typer

from gwlint import __version__
from gwlint.errors import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, InputError

app = typer.Typer(
    add_completion=True,
    no_args_is_help=True,
    help="Lint nginx + PHP-FPM + php.ini configuration against each other: catch 502s and 504s "
         "before they ship.",
)


class Format(str, Enum):
    text = "text"
    json = "json"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"gwlint {__version__}")
        raise typer.Exit()


@app.callback()
def _main(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Show the version and exit.")) -> None:
    """gwlint: nginx + PHP-FPM cross-checks."""


@app.command()
def check(
    root: Path = typer.Argument(Path("."), help="Config tree laid out like / (etc/nginx, etc/php...), "
                                "or an nginx config dir with nginx.conf at its top."),
    nginx: list[Path] = typer.Option([], "--nginx", help="nginx entry file (repeatable); skips discovery."),
    fpm: list[Path] = typer.Option([], "--fpm", help="php-fpm main config (repeatable); skips discovery."),
    php_ini: list[Path] = typer.Option([], "--php-ini", help="php.ini file(s) read by every FPM, in order."),
    output_format: Format = typer.Option(Format.text, "--format", help="Output format."),
    diff: bool = typer.Option(False, "--diff", help="Print the fixes as one unified diff; change nothing."),
    fix: bool = typer.Option(False, "--fix", help="Apply safe fixes in place."),
    unsafe_fixes: bool = typer.Option(False, "--unsafe-fixes", help="Also apply fixes marked unsafe."),
    nginx_user: Optional[str] = typer.Option(None, help="nginx worker user when nginx.conf sets none "
                                             "[default: nobody]."),
    fpm_master_user: Optional[str] = typer.Option(None, help="User the php-fpm master runs as [default: root]."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Parse every file; do not read or write "
                                  "ROOT/.gwlint_cache/."),
) -> None:
    """Check a config tree; exit 0 clean, 1 findings (or a non-empty --diff), 2 bad input or usage."""
    from gwlint.model import Options

    opts = Options(**{k: v for k, v in (("nginx_user", nginx_user), ("fpm_master_user", fpm_master_user))
                      if v is not None})
    try:
        code = _check(root, nginx, fpm, php_ini, output_format, diff, fix, unsafe_fixes, opts, no_cache)
    except InputError as exc:
        typer.echo(f"gwlint: error: {exc}", err=True)
        raise typer.Exit(EXIT_ERROR)
    raise typer.Exit(code)


def _check(root, nginx, fpm, php_ini, output_format, diff, fix, unsafe_fixes, opts, no_cache=False) -> int:
    import gc

    from gwlint import engine, fixer
    from gwlint.model import gc_paused, load_workspace

    cache = None
    if not no_cache and root.is_dir():
        from gwlint.cache import open_cache

        cache = open_cache(root)

    def under_root(paths):
        return [p if p.is_absolute() else Path(os.path.abspath(p)) for p in paths]

    def load(overlay=None):
        return load_workspace(root, nginx=under_root(nginx), fpm=under_root(fpm), php_ini=under_root(php_ini),
                              options=opts, overlay=overlay, cache=cache)

    if not (diff or fix):
        with gc_paused():  # one model, kept to the end: collections would only rescan it
            ws = load()
            if cache is not None:
                cache.save()
            findings = engine.run(ws)
            _emit(findings, output_format, root)
        return EXIT_FINDINGS if findings else EXIT_CLEAN
    gc.enable()  # each pass builds a new model: the old ones are cyclic garbage to collect
    result = fixer.fix_loop(load, engine.run, unsafe=unsafe_fixes)
    if cache is not None:
        cache.save()
    if diff:
        patch = fixer.unified_diff(result)
        sys.stdout.write(patch)
        return EXIT_FINDINGS if patch else EXIT_CLEAN
    fixer.write_fixed(result.workspace, result)
    for finding in result.applied:
        typer.echo(f"fixed {finding.path}:{finding.line}: {finding.code} {finding.fix.title}", err=True)
    _emit(result.remaining, output_format, root)
    return EXIT_FINDINGS if result.remaining else EXIT_CLEAN


def _emit(findings, output_format: Format, root: Path) -> None:
    from gwlint import report

    if output_format is Format.json:
        sys.stdout.write(report.as_json(findings, root.as_posix()))
    else:
        sys.stdout.write(report.as_text(findings))


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
