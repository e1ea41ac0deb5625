"""The command line: `gwlint check [ROOT]`."""

from contextlib import contextmanager
from enum import Enum
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


class Context(str, Enum):
    main = "main"
    http = "http"
    server = "server"
    location = "location"


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
    root: Optional[Path] = typer.Argument(None, show_default=".", help="Config tree laid out like / "
                                          "(etc/nginx, etc/php...), an nginx config dir with nginx.conf at "
                                          "its top, or one nginx file (see --context)."),
    nginx: list[Path] = typer.Option([], "--nginx", help="nginx entry file (repeatable); skips discovery."),
    fpm: list[Path] = typer.Option([], "--fpm", help="php-fpm main config (repeatable); skips discovery."),
    php_ini: list[Path] = typer.Option([], "--php-ini", help="php.ini file(s) read by every FPM, in order."),
    nginx_dump: Optional[str] = typer.Option(None, "--nginx-dump", metavar="FILE|-",
                                             help="Lint `nginx -T` output (- reads stdin) instead of a tree."),
    fpm_dump: list[str] = typer.Option([], "--fpm-dump", metavar="FILE|-",
                                       help="Lint `php-fpm -tt 2>&1` output (- reads stdin); one per "
                                       "php-fpm master (repeatable)."),
    context: Optional[Context] = typer.Option(None, "--context", help="ROOT is one nginx file whose "
                                              "directives sit in this context (default: guessed from them)."),
    output_format: Format = typer.Option(Format.text, "--format", help="Output format."),
    diff: bool = typer.Option(False, "--diff", help="Print the fixes as one unified diff; change nothing."),
    fix: bool = typer.Option(False, "--fix", help="Apply safe fixes in place."),
    unsafe_fixes: bool = typer.Option(False, "--unsafe-fixes", help="Also apply fixes marked unsafe."),
    nginx_user: Optional[str] = typer.Option(None, help="nginx worker user when nginx.conf sets none "
                                             "[default: nobody]."),
    fpm_master_user: Optional[str] = typer.Option(None, help="User the php-fpm master runs as [default: root]."),
) -> None:
    """Check a config tree; exit 0 clean, 1 findings (or a non-empty --diff), 2 bad input or usage."""
    from gwlint.model import Options

    opts = Options(**{k: v for k, v in (("nginx_user", nginx_user), ("fpm_master_user", fpm_master_user))
                      if v is not None})
    try:
        with _inputs(root, nginx, fpm, php_ini, nginx_dump, fpm_dump, context, diff, fix) as (tree, shown):
            code = _check(tree, output_format, diff, fix, unsafe_fixes, opts, shown)
    except InputError as exc:
        typer.echo(f"gwlint: error: {exc}", err=True)
        raise typer.Exit(EXIT_ERROR)
    raise typer.Exit(code)


@contextmanager
def _inputs(root, nginx, fpm, php_ini, nginx_dump, fpm_dump, context, diff, fix):
    """What to lint, from the arguments: (Inputs, the root to show in output)."""
    from gwlint.inputs import file_inputs, tree_inputs

    if nginx_dump is not None or fpm_dump:
        if root is not None or nginx or fpm or context is not None:
            raise InputError("--nginx-dump/--fpm-dump lint the dump alone: drop ROOT, --nginx, --fpm, --context")
        if fix or (diff and fpm_dump):
            raise InputError("a dump cannot be fixed in place: use --diff with --nginx-dump, then patch -p1 -d /")
        from gwlint.dumps import materialize

        with materialize(nginx_dump, fpm_dump, php_ini) as tree:
            yield tree, Path("/")
        return
    root = root or Path(".")
    if root.is_file() or context is not None:
        if nginx or fpm or php_ini:
            raise InputError("one FILE is linted alone: drop --nginx, --fpm, --php-ini", str(root))
        yield file_inputs(root, context.value if context else None), root
        return
    yield tree_inputs(root, nginx, fpm, php_ini), root


def _check(inputs, output_format, diff, fix, unsafe_fixes, opts, shown) -> int:
    from gwlint import engine, fixer
    from gwlint.model import load_workspace

    def load(overlay=None):
        return load_workspace(inputs.root, nginx=inputs.nginx, fpm=inputs.fpm, php_ini=inputs.php_ini,
                              options=opts, overlay={**(overlay or {}), **inputs.overlay})

    if not (diff or fix):
        ws = load()
        if not (ws.nginx or ws.installs) and not inputs.explicit:
            raise InputError("no nginx.conf, php-fpm.conf or pool.d/*.conf found: nothing to lint", str(shown))
        findings = engine.run(ws)
        _emit(findings, output_format, shown)
        return EXIT_FINDINGS if findings else EXIT_CLEAN
    result = fixer.fix_loop(load, engine.run, unsafe=unsafe_fixes)
    if diff:
        patch = fixer.unified_diff(result)
        sys.stdout.write(patch)
        return EXIT_FINDINGS if patch else EXIT_CLEAN
    fixer.write_fixed(result.workspace, result)
    for finding in result.applied:
        typer.echo(f"fixed {finding.path}:{finding.line}: {finding.code} {finding.fix.title}", err=True)
    _emit(result.remaining, output_format, shown)
    return EXIT_FINDINGS if result.remaining else EXIT_CLEAN


def _emit(findings, output_format: Format, root: Path) -> None:
    from gwlint import report

    if output_format is Format.json:
        sys.stdout.write(report.as_json(findings, root.as_posix()))
    else:
        sys.stdout.write(report.as_text(findings))


def main() -> None:
    app(prog_name="gwlint")
