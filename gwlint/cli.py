"""The command line: `gwlint check [ROOT] [FILE]...`, `gwlint rules`, `gwlint rule CODE`.

argparse, not a CLI framework: start-up is paid on every pre-commit run, and typer costs 3-9x a
crossplane import before gwlint does anything (README "Why not typer"). The options are declared
once, in `parser()`; shell completion (`gwlint completion bash`) reads the same parser.
"""

import argparse
import os
import sys
from collections.abc import Callable
from contextlib import contextmanager

from gwlint import __version__
from gwlint.errors import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, EXIT_INTERNAL, InputError, RuleError
from gwlint.load.fsroot import clean

FORMATS = ("full", "concise", "json", "sarif", "github")  # `text` is accepted for `full`
RULES_FORMATS = ("text", "markdown", "json")
DOCTOR_FORMATS = ("text", "json")
SEVERITIES = ("error", "warning", "info")
COLORS = ("auto", "always", "never")
CONTEXTS = ("auto", "main", "http", "server", "location")
SHELLS = ("bash", "zsh", "fish")


class UsageError(Exception):
    """Bad command-line usage: exit 2 with one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2 (argparse prints the usage and exits itself)
        raise UsageError(f"{message} (`{self.prog} --help` lists the options)")


_WIDTH: list[int] = []


class _Formatter(argparse.HelpFormatter):
    """`-o, --output FILE` (the metavar once), paragraphs kept, at most 100 columns."""

    def __init__(self, prog: str):
        if not _WIDTH:  # argparse makes a formatter per add_argument: ask the terminal once
            try:
                columns = int(os.environ.get("COLUMNS", "")) or os.get_terminal_size(sys.stdout.fileno()).columns
            except (ValueError, OSError):
                columns = 100
            _WIDTH.append(min(100, columns) - 2)
        super().__init__(prog, max_help_position=28, width=_WIDTH[0])

    def _format_action_invocation(self, action: argparse.Action) -> str:
        if not action.option_strings:
            return super()._format_action_invocation(action)
        flags = ", ".join(action.option_strings)
        if action.nargs == 0:
            return flags
        return f"{flags} {self._format_args(action, action.dest.upper())}"

    def _format_action(self, action: argparse.Action) -> str:
        if isinstance(action, argparse._SubParsersAction):  # the commands, without a COMMAND line
            return "".join(self._format_action(sub) for sub in action._get_subactions())
        return super()._format_action(action)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        import textwrap

        return "\n\n".join(para if para.startswith("  ") else textwrap.fill(" ".join(para.split()), width,
                                                                            initial_indent=indent,
                                                                            subsequent_indent=indent)
                           for para in text.strip("\n").split("\n\n"))


def _codes(value: str) -> list[str]:
    """CODES: comma-separated, case-insensitive (`gw301,GW3`)."""
    return [part.strip().upper() for part in value.split(",") if part.strip()]


def _globs(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _check_arguments(check: argparse.ArgumentParser) -> None:
    check.add_argument("paths", nargs="*", metavar="ROOT | FILE",
                       help="ROOT: a config tree laid out like / (etc/nginx, etc/php...), or an nginx config "
                            "directory with nginx.conf at its top [default: .]. FILEs (as pre-commit passes "
                            "them): the model is still built from all of ROOT, but only findings in (or "
                            "related to) these files are reported and fixed.")
    check.add_argument("--root", dest="root_option", metavar="ROOT", type=clean, action="append", default=[],
                       help="ROOT as an option: every argument is then a FILE. Repeatable: each tree is "
                            "linted as its own model, paths relative to the current directory.")
    check.add_argument("--staged", action="store_true",
                       help="Lint the commit being made (the git index; under pre-commit --from-ref/--to-ref, "
                            "the pushed tree): report findings in the changed files and the FILEs, and those "
                            "the change causes elsewhere. Every argument is a FILE (the pre-commit hook).")
    group = check.add_argument_group("rule selection")
    group.add_argument("--select", action="extend", type=_codes, metavar="CODES",
                       help="Codes or prefixes to run, comma-separated or repeated, in any case; replaces "
                            "the config's selection.")
    group.add_argument("--extend-select", action="extend", type=_codes, metavar="CODES",
                       help="Codes or prefixes to run in addition to the selection.")
    group.add_argument("--ignore", action="extend", type=_codes, metavar="CODES",
                       help="Codes or prefixes to skip, added to the config's ignore list.")
    group.add_argument("--extend-ignore", action="extend", type=_codes, metavar="CODES",
                       help="The same as --ignore (flake8's name).")
    group.add_argument("--exclude", action="extend", type=_globs, metavar="GLOBS",
                       help="Report nothing in files matching these root-relative globs (a directory "
                            "excludes what is under it); replaces the config's exclude. The model still "
                            "reads them.")
    group.add_argument("--extend-exclude", action="extend", type=_globs, metavar="GLOBS",
                       help="Globs to exclude in addition to the config's exclude.")
    group.add_argument("--fail-on", choices=SEVERITIES, metavar="SEVERITY",
                       help="Lowest severity that makes the exit code 1: error, warning or info "
                            "[default: info].")
    group.add_argument("--exit-zero", action="store_true",
                       help="Exit 0 even when findings are reported (2 and 3 still mean failure).")
    group.add_argument("--config", dest="config_file", metavar="FILE",
                       help="Config file (.gwlint.toml or pyproject.toml) [default: found upward from ROOT].")

    group = check.add_argument_group("output")
    group.add_argument("--output-format", "--format", dest="output_format", metavar="FORMAT",
                       choices=(*FORMATS, "text"), default="full",
                       help="full (each finding with its source line, related locations and fix), "
                            "concise (one line per finding), json, sarif or github [default: full].")
    group.add_argument("-o", "--output", metavar="FILE",
                       help="Write the report to FILE (also when the run fails: exit 2 writes the error).")
    group.add_argument("--statistics", action="store_true",
                       help="Print the number of findings per code instead of the findings.")
    group.add_argument("-q", "--quiet", action="store_true",
                       help="Print the findings and nothing else (no summary line, no notes).")
    group.add_argument("-v", "--verbose", action="store_true", help="Say what was found where (on stderr).")
    group.add_argument("--color", choices=COLORS, metavar="WHEN", default="auto",
                       help="Colour text output: auto (on a terminal, unless NO_COLOR is set; FORCE_COLOR "
                            "forces it), always or never [default: auto].")

    group = check.add_argument_group("fixes")
    group.add_argument("--diff", action="store_true", help="Print the fixes as one unified diff; change nothing.")
    group.add_argument("--fix", action="store_true", help="Apply safe fixes in place.")
    group.add_argument("--unsafe-fixes", action="store_true", help="Also apply fixes marked unsafe.")
    group.add_argument("--verify", action="store_true",
                       help="Also run nginx -t and php-fpm -t on a relocated temp copy of the tree (the "
                            "fixed one with --fix/--diff), where installed.")

    group = check.add_argument_group("inputs")
    group.add_argument("--nginx", action="append", default=[], metavar="FILE",
                       help="nginx entry file (repeatable); replaces the discovery of nginx entry files.")
    group.add_argument("--fpm", action="append", default=[], metavar="FILE",
                       help="php-fpm main config (repeatable); replaces the discovery of FPM configs.")
    group.add_argument("--php-ini", action="append", default=[], metavar="FILE",
                       help="php.ini file read by every FPM (repeatable, in the order PHP reads them).")
    group.add_argument("--nginx-dump", metavar="FILE",
                       help="Lint `nginx -T` output (- reads stdin) instead of a tree.")
    group.add_argument("--fpm-dump", action="append", default=[], metavar="FILE",
                       help="Lint `php-fpm -tt 2>&1` output (- reads stdin); one per php-fpm master "
                            "(repeatable).")
    group.add_argument("--context", choices=CONTEXTS, metavar="CONTEXT",
                       help="ROOT is one nginx file whose directives sit in this context: main, http, "
                            "server, location, or auto (guessed from them).")
    group.add_argument("--no-cache", action="store_true",
                       help="Parse every file; do not read or write ROOT/.gwlint_cache/ (also: "
                            "GWLINT_NO_CACHE=1).")

    group = check.add_argument_group("what the tree does not say")
    group.add_argument("--nginx-user", metavar="USER",
                       help="nginx worker user when nginx.conf sets none [default: nobody].")
    group.add_argument("--fpm-master-user", metavar="USER",
                       help="User the php-fpm master runs as [default: the php-fpm unit's User= or the "
                            "Dockerfile's USER; a pool without `user` means not root; else root].")
    group.add_argument("--nginx-version", metavar="VERSION",
                       help="nginx version whose defaults apply, e.g. 1.30 [default: 1.22, Debian 12's].")
    group.add_argument("--memory-budget", metavar="SIZE",
                       help="Memory all PHP-FPM pools may use (e.g. 2G, 512M); enables the "
                            "pm.max_children x memory_limit check.")
    group.add_argument("--strict-backends", action="store_true",
                       help="Report local proxy targets the tree declares no backend for.")


def _rules_arguments(rules: argparse.ArgumentParser) -> None:
    rules.add_argument("--format", "--output-format", dest="output_format", choices=RULES_FORMATS,
                       metavar="FORMAT", default="text",
                       help="text, markdown (the README table) or json [default: text].")


def _rule_arguments(rule: argparse.ArgumentParser) -> None:
    rule.add_argument("code", metavar="CODE", help="A code (GW301, gw301) or a name (fastcgi-pass-no-pool).")


def _doctor_arguments(doctor: argparse.ArgumentParser) -> None:
    doctor.add_argument("root", nargs="?", default="/", metavar="ROOT",
                        help="The config tree: the running system (/) or a copy of a server's tree [default: /].")
    doctor.add_argument("--log", action="append", default=[], metavar="FILE",
                        help="A log to read (nginx error.log, php-fpm log or slowlog; .gz too), repeatable "
                             "[default: the error_log files the configs name, with their .1/.gz rotations].")
    doctor.add_argument("--since", metavar="TIME",
                        help="Only lines from this time on: 2026-11-27 14:00, 14:00, or a duration ago (30m, 2h, 1d).")
    doctor.add_argument("--format", "--output-format", dest="output_format", choices=DOCTOR_FORMATS,
                        metavar="FORMAT", default="text", help="text or json [default: text].")
    doctor.add_argument("--live", action=argparse.BooleanOptionalAction, default=None,
                        help="Compare with the running system (/proc, sockets on disk) [default: when ROOT is /].")
    doctor.add_argument("--config", dest="config_file", metavar="FILE",
                        help="Config file (.gwlint.toml or pyproject.toml).")


def _completion_arguments(completion: argparse.ArgumentParser) -> None:
    completion.add_argument("shell", choices=SHELLS, metavar="SHELL", help="bash, zsh or fish.")


# each command: name, summary, usage, description (default: the summary), epilog, its arguments
_COMMANDS: list[tuple[str, str, str, str, str, Callable[[argparse.ArgumentParser], None] | None]] = [
    ("check", "Check a config tree.", "gwlint check [OPTIONS] [ROOT] [FILE]...",
     "Check a config tree: nginx, every PHP-FPM install with its pools, and the php.ini files "
     "each one reads, against each other.",
     "Exit codes: 0 nothing found, 1 findings (or a non-empty --diff), 2 bad usage, nothing to lint, "
     "or input that cannot be read or parsed, 3 an internal error.\n\n"
     "Paths in every format are relative to the current directory when ROOT is inside it, "
     "else relative to ROOT.", _check_arguments),
    ("rules", "List every code.", "gwlint rules [--format FORMAT]",
     "List every code: the rules and the tool's own GW9xx, with severity and whether "
     "--fix can fix it.", "", _rules_arguments),
    ("rule", "Print one rule's documentation.", "gwlint rule CODE", "", "", _rule_arguments),
    ("doctor", "From 502/504 log lines to the config line that causes them.",
     "gwlint doctor [ROOT] [--log FILE]... [--since TIME] [--format FORMAT]",
     "Read nginx's error.log and php-fpm's logs, route each upstream error as nginx did, and name "
     "its cause: the rule and file:line at that route, or the runtime cause the logs and live "
     "state show; lines it cannot explain are listed as such. Exit 0 nothing to do, 1 causes "
     "named, 2 bad input or usage, 3 internal error.", "", _doctor_arguments),
    ("completion", "Print a shell completion script.", "gwlint completion SHELL",
     "Print a shell completion script: commands, options, their values and rule codes.",
     'Install it with, e.g.: eval "$(gwlint completion bash)" in ~/.bashrc, '
     'eval "$(gwlint completion zsh)" in ~/.zshrc, or '
     "gwlint completion fish > ~/.config/fish/completions/gwlint.fish", _completion_arguments),
    ("server", "Run the language server (LSP on stdio).", "gwlint server [-h]",
     "Run the language server on stdin/stdout: whole-tree diagnostics with the editor's unsaved "
     "buffers, quick fixes, fix-all, suppress-here and hover. Needs the server extra: "
     "pip install 'gwlint[server]'.", "", None),
]


def parser(only: str | None = None) -> argparse.ArgumentParser:
    """Every command and option: argparse reads it, and so do completion and the help test.
    `only`: build just that command (what a run needs: building all costs ~5 ms of start-up)."""
    top = _Parser(prog="gwlint", formatter_class=_Formatter, allow_abbrev=False, add_help=False,
                  usage="gwlint [-h] [-V] COMMAND [OPTIONS] ...",
                  description="Lint nginx + PHP-FPM + php.ini configuration against each other: catch "
                              "502s and 504s before they ship.",
                  epilog="`gwlint COMMAND --help` shows a command's options.")
    top.add_argument("-h", "--help", action="help", help="Show this help and exit.")
    top.add_argument("-V", "--version", action="version", version=f"gwlint {__version__}",
                     help="Show the version and exit.")
    sub = top.add_subparsers(dest="command", title="commands", metavar="COMMAND", parser_class=_Parser)

    for name, summary, usage, description, epilog, arguments in _COMMANDS:
        if only not in (None, name):
            continue
        p = sub.add_parser(name, prog=f"gwlint {name}", help=summary, usage=usage, description=description or summary,
                           epilog=epilog, formatter_class=_Formatter, add_help=False, allow_abbrev=False)
        p.add_argument("-h", "--help", action="help", help="Show this help and exit.")
        if arguments is not None:
            arguments(p)
    return top


def app(argv: list[str] | None = None) -> int:
    """Run the command line on `argv` (default: sys.argv[1:]); returns the exit code."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if os.environ.get("_GWLINT_COMPLETE"):
        from gwlint.completion import complete

        sys.stdout.write(complete(parser(), os.environ))
        return EXIT_CLEAN
    p = parser(argv[0] if argv and any(argv[0] == name for name, *_ in _COMMANDS) else None)
    if not argv:
        p.print_help()
        return EXIT_ERROR
    try:
        args = p.parse_args(argv)
    except UsageError as exc:
        message = _unknown_options(p, argv) or str(exc)
        _error(message)
        _usage_report(p, argv, message)
        return EXIT_ERROR
    except SystemExit as exc:  # --help, --version
        return exc.code if isinstance(exc.code, int) else EXIT_CLEAN
    if args.command is None:
        p.print_help()
        return EXIT_ERROR
    return {"check": check, "rules": rules_command, "rule": rule_command, "doctor": doctor_command,
            "completion": completion_command, "server": server_command}[args.command](args)


def _usage_report(top: argparse.ArgumentParser, argv: list[str], message: str) -> None:
    """`gwlint check ... -o FILE` with a bad option still writes FILE (and a json, sarif or github
    document), when the rest of the command line can be read."""
    if "check" not in argv:
        return
    try:
        args, _ = top.parse_known_args(argv)
    except (UsageError, SystemExit):
        return
    if getattr(args, "command", None) == "check":
        _fail_report(args, EXIT_ERROR, None, None, message)


def _unknown_options(top: argparse.ArgumentParser, argv: list[str]) -> str | None:
    """`unknown option --fial-on; did you mean --fail-on?` for options no command has."""
    from gwlint.completion import _options, _subcommands

    commands = _subcommands(top)
    name = next((w for w in argv if w in commands), None)
    here = commands[name] if name else top
    known = _options(here)
    unknown = [w.split("=", 1)[0] for w in argv if w.startswith("-") and w.split("=", 1)[0] not in known
               and w not in ("-", "--") and (name is None or argv.index(w) > argv.index(name))]
    if not unknown:
        return None
    from gwlint.model.suggest import nearest_name

    hint = nearest_name(unknown[0], list(known))
    return (f"unknown option {unknown[0]}" + (f"; did you mean {hint}?" if hint else "")
            + f" (`{here.prog} --help` lists the options)")


def _error(message: str) -> None:
    sys.stderr.write(f"gwlint: error: {message}\n")


def _note(message: str) -> None:
    sys.stderr.write(message + "\n")


def check(args: argparse.Namespace) -> int:
    """`gwlint check`: exit 0 clean, 1 findings (or a non-empty --diff), 2 bad input or usage, 3 a bug."""
    overrides = {key: value for key, value in (
        ("select", args.select), ("extend-select", args.extend_select), ("ignore", args.ignore),
        ("extend-ignore", args.extend_ignore), ("exclude", args.exclude), ("extend-exclude", args.extend_exclude),
        ("fail-on", args.fail_on), ("nginx-user", args.nginx_user), ("fpm-master-user", args.fpm_master_user),
        ("memory-budget", args.memory_budget), ("strict-backends", args.strict_backends or None),
        ("nginx-version", args.nginx_version)) if value is not None}
    no_cache = args.no_cache or os.environ.get("GWLINT_NO_CACHE", "").lower() not in ("", "0", "false", "no")
    if args.output_format == "text":
        args.output_format = "full"
    try:
        if args.nginx_version is not None:
            _nginx_version(args.nginx_version)
        roots = list(dict.fromkeys(args.root_option))
        dumps = args.nginx_dump is not None or bool(args.fpm_dump)
        if args.staged:
            if args.fix or args.diff or args.nginx or args.fpm or args.context is not None or dumps or len(roots) > 1:
                raise InputError("--staged lints the commit as it is: drop --fix, --diff, --nginx, --fpm, "
                                 "--context, the dumps and a second --root")
            code = _check_staged(roots[0] if roots else ".", [clean(p) for p in args.paths], args, overrides)
            return EXIT_CLEAN if args.exit_zero and code == EXIT_FINDINGS else code
        if len(roots) > 1 and (args.nginx or args.fpm or args.context is not None or dumps):
            raise InputError("several --root: drop --nginx, --fpm, --context and the dumps")
        root, files = _split_paths("." if len(roots) > 1 else (roots or [None])[0],
                                   [clean(p) for p in args.paths])
        given = bool(args.paths or roots)
        with _inputs(root if given else None, args.nginx, args.fpm, args.php_ini, args.nginx_dump, args.fpm_dump,
                     args.context, args.diff, args.fix) as inputs:
            code = _check(root, inputs, files, args.output_format, args.output, args.diff, args.fix,
                          args.unsafe_fixes, args.config_file, overrides, args.verify, args.verbose,
                          no_cache or dumps,  # a dump's temp tree: no cache
                          style=args, given_roots=roots if len(roots) > 1 else None)
    except InputError as exc:
        _error(str(exc))
        _fail_report(args, EXIT_ERROR, exc.path, exc.line, exc.message)
        return EXIT_ERROR
    except RuleError as exc:  # a rule plugin that cannot be used
        _error(str(exc))
        _fail_report(args, EXIT_ERROR, None, None, str(exc))
        return EXIT_ERROR
    except OSError as exc:  # the file system refused something not caught where it was read
        from gwlint.errors import short_name

        where = f": {short_name(os.fsdecode(exc.filename))}" if exc.filename is not None else ""
        message = f"cannot read{where}: {exc.strerror or exc}"
        _error(message)
        _fail_report(args, EXIT_ERROR, None, None, message)
        return EXIT_ERROR
    except Exception as exc:  # a bug in gwlint: one line, a distinct exit code, never "clean"
        if os.environ.get("GWLINT_DEBUG"):
            import traceback

            traceback.print_exc()
        message = f"internal error: {type(exc).__name__}: {exc} (GWLINT_DEBUG=1 shows the traceback; please report it)"
        sys.stderr.write(f"gwlint: {message}\n")
        _fail_report(args, EXIT_INTERNAL, None, None, message)
        return EXIT_INTERNAL
    return EXIT_CLEAN if args.exit_zero and code == EXIT_FINDINGS else code


def _fail_report(args: argparse.Namespace, code: int, path: str | None, line: int | None, message: str) -> None:
    """A run that stopped still gives the report its consumers wait for: a complete json, sarif or
    github document carrying the error, and `-o FILE` is always written (text: the error line)."""
    from gwlint.output import report

    error = {"path": path, "line": line, "message": message}
    fmt = args.output_format
    if fmt == "json":
        root = (args.root_option[0] if len(args.root_option) == 1 else ".") if args.root_option else \
            (clean(args.paths[0]) if args.paths else ".")
        text = report.as_json([], "/" if args.nginx_dump or args.fpm_dump else root, errors=[error])
    elif fmt == "sarif":
        from gwlint.output.sarif import as_sarif

        try:
            from gwlint.engine.registry import load_rules

            rules = load_rules()
        except Exception:
            rules = []
        text = as_sarif([], rules, errors=[error], exit_code=code)
    elif fmt == "github":
        text = report.as_github([], errors=[error])
    elif args.output is not None:
        text = f"gwlint: error: {InputError(message, path, line)}\n" if code == EXIT_ERROR else f"gwlint: {message}\n"
    else:
        return  # text on stdout: the line on stderr is the report
    from contextlib import suppress

    with suppress(InputError):  # an error about the output file itself: already said on stderr
        _write(text, args.output)


def _nginx_version(value: str) -> None:
    from gwlint.model.workspace import Options

    try:
        Options(nginx_version=value)
    except ValueError as exc:
        raise InputError(f"--nginx-version: {exc}") from None


def _split_paths(root: str | None, paths: list[str]) -> tuple[str, set[str] | None]:
    """ROOT (--root, else the first argument, else `.`) and the root-relative FILEs, if any."""
    if root is None:
        root, paths = (paths[0], paths[1:]) if paths else (".", [])
    if not paths:
        return root, None
    files = set()
    for path in paths:
        if not os.path.exists(path):
            raise InputError("no such file", path)
        if os.path.isdir(path):
            raise InputError("expected a file: only ROOT is a directory", path)
        rel = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
        if not rel.startswith(".." + os.sep) and rel != "..":
            files.add(rel)  # files outside ROOT hold no findings
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
    root = root or "."
    if context is not None:
        if nginx or fpm or php_ini:
            raise InputError("one FILE is linted alone: drop --nginx, --fpm, --php-ini", root)
        yield file_inputs(root, None if context == "auto" else context)
        return
    yield tree_inputs(root, nginx, fpm, php_ini)


def _check(config_root, inputs, files, output_format, output, diff, fix, unsafe_fixes,
           config_file, overrides, verify=False, verbose=False, no_cache=False, style=None, given_roots=None,
           keep=None, view_root=None) -> int:
    """Lint every tree ROOT holds (one model each; `given_roots`: several --root, each searched);
    `keep` filters the findings (--staged), `view_root` is the ROOT paths are shown from."""
    from gwlint.engine import config
    from gwlint.engine import runner as engine
    from gwlint.engine.registry import load_rules
    from gwlint.load.roots import find_roots
    from gwlint.model.workspace import gc_paused
    from gwlint.output.report import join_path, view_prefix

    quiet = bool(style and style.quiet)
    # one path convention (README): from the current directory when ROOT is in it, else from ROOT
    prefix = view_prefix("/" if inputs.shown == "/" else view_root or inputs.root)

    def viewed(exc: InputError) -> InputError:
        """A root-relative path in a loader's error, shown as every output shows paths."""
        if exc.path and not os.path.isabs(exc.path):
            exc.path = join_path(prefix, exc.path)
        return exc

    rules = load_rules()
    cfg = config.load(config_file or config.find(config_root), engine.known_codes(rules), overrides)
    explicit = bool(inputs.nginx or inputs.fpm or inputs.overlay)
    if given_roots:
        for given in given_roots:
            if not os.path.isdir(given):
                raise InputError("no such directory", given)
        roots = list(dict.fromkeys(r for given in given_roots for r in find_roots(given)))
    else:
        roots = [inputs.root] if explicit or not os.path.isdir(inputs.root) else find_roots(inputs.root)
    runs = [_root_run(root, inputs, files, rules, cfg, verify, no_cache) for root in roots]
    try:
        if diff or fix:
            return _check_fix(runs, cfg, inputs, output_format, output, diff, unsafe_fixes, style, prefix, quiet)
        with gc_paused():  # one model per root, kept to the end: collections would only rescan them
            findings = _lint_all(runs, inputs)
            if keep is not None:
                findings = [f for f in findings if keep(f)]
            if verbose:
                from gwlint.output.inventory import describe

                for run in _linted(runs):
                    sys.stderr.write(describe(run.workspace, join_path(prefix, run.prefix) if run.prefix else prefix))
            findings.sort(key=lambda f: f.sort_key())
            _emit(findings, output_format, output, inputs.shown, runs, rules, style, prefix)
    except InputError as exc:
        raise viewed(exc) from None
    return EXIT_FINDINGS if any(cfg.fails(f.severity) for f in findings) else EXIT_CLEAN


def _lint_all(runs, inputs) -> list:
    """Every root's findings, rebased onto ROOT; exit 2 (InputError) when nothing was linted."""
    findings = []
    for run in runs:
        run.load()
        run.save_cache()
    _require_something(runs, inputs)
    for run in _linted(runs):
        findings += run.rebase(run.lint(run.workspace) + _verified(run, run.workspace))
    return findings


def _check_staged(root: str, paths: list[str], args, overrides) -> int:
    """Lint the commit being made; report what is in the changed files (and FILEs) or new against
    the baseline (a deleted pool breaks a site nobody touched)."""
    from gwlint.engine import config
    from gwlint.engine import runner as engine
    from gwlint.engine.registry import load_rules
    from gwlint.load.gitsnap import staged
    from gwlint.load.inputs import tree_inputs
    from gwlint.load.roots import find_roots
    from gwlint.model.workspace import gc_paused

    given = set()
    for path in paths:  # FILEs as pre-commit passes them (they may be gone from the work tree)
        rel = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
        if not rel.startswith(".." + os.sep) and rel != "..":
            given.add(rel)
    rules = load_rules()
    cfg = config.load(args.config_file or config.find(root), engine.known_codes(rules), overrides)
    with staged(root) as snap:
        before: set = set()
        if snap.baseline is not None:
            base_inputs = tree_inputs(snap.baseline, [], [], [])
            base_runs = [_root_run(r, base_inputs, None, rules, cfg, False, True) for r in find_roots(snap.baseline)]
            try:
                with gc_paused():
                    before = {(f.path, f.code, f.message) for f in _lint_all(base_runs, base_inputs)}
            except InputError:  # the baseline did not lint: everything found now counts
                before = set()
        changed = snap.changed | given

        def keep(f) -> bool:
            return f.path in changed or any(r.path in changed for r in f.related) or \
                (f.path, f.code, f.message) not in before

        inputs = tree_inputs(snap.root, [], [], [os.path.abspath(p) for p in args.php_ini])
        return _check(root, inputs, None, args.output_format, args.output, False, False, False, args.config_file,
                      overrides, args.verify, args.verbose, True, style=args, keep=keep, view_root=root)


def _root_run(root, inputs, files, rules, cfg, verify, no_cache):
    """The API's Run for one tree ROOT holds; the parse cache is not for buffers, dumps or a FILE alone."""
    from gwlint.api import Run

    cache = not no_cache and os.path.isdir(root) and not inputs.overlay and not os.path.isfile(inputs.shown)
    return Run(inputs, cfg, rules, files, cache, root, verify)


def _verified(run, ws, overlay=None) -> list:
    """--verify's findings for a run's model; its notes (a server not installed) go to stderr."""
    found, notes = run.verified(ws, overlay)
    for note in notes:
        _note(note)
    return found


def _empty(run) -> bool:
    return run.workspace is not None and not run.workspace.nginx and not run.workspace.installs


def _linted(runs):
    return [run for run in runs if not _empty(run)]


def _require_something(runs, inputs) -> None:
    """Fail closed: a run that read no nginx and no FPM config is an error, never a pass."""
    from gwlint.load.discover import LOOKED_FOR

    if not _linted(runs):
        raise InputError(f"no nginx or PHP-FPM configuration found (looked for {LOOKED_FOR})",
                         str(inputs.shown))
    if inputs.php_ini and not any(run.workspace.installs for run in runs):
        raise InputError("--php-ini: no PHP-FPM configuration found to apply it to", str(inputs.shown))


def _check_fix(runs, cfg, inputs, output_format, output, diff, unsafe_fixes, style, prefix, quiet) -> int:
    import gc

    from gwlint.fix import loop as fixer
    from gwlint.output.report import join_path

    gc.enable()  # each pass builds a new model: the old ones are cyclic garbage to collect
    results = []
    for run in runs:
        result = fixer.fix_loop(run.load, run.lint, unsafe=unsafe_fixes)
        run.save_cache()
        run.workspace = result.workspace
        results.append((run, result))
    _require_something(runs, inputs)
    results = [(run, result) for run, result in results if not _empty(run)]
    if diff:
        patch, failures, applied, left = "", [], 0, 0
        for run, result in results:
            patch += fixer.unified_diff(result, join_path(prefix, run.prefix) if run.prefix else prefix)
            run.rebase(result.applied)
            run.rebase(result.remaining)
            for problem in (f for f in result.remaining if f.code in fixer.FIX_PROBLEMS):
                _note(f"{join_path(prefix, problem.path)}:{problem.line}: {problem.code} {problem.message}")
            applied, left = applied + len(result.applied), left + len(result.remaining)
            failures += run.rebase(_verified(run, result.workspace, result.fixed))
        _write(patch, output)
        if (applied or left) and not quiet:
            _note(f"gwlint: the diff fixes {applied} finding(s); {left} remain")
        if failures:
            from gwlint.output import report

            sys.stderr.write(report.as_text(failures, prefix=prefix))
        return EXIT_FINDINGS if patch or failures else EXIT_CLEAN
    for run, result in results:
        try:
            fixer.write_fixed(result.workspace, result)
        except InputError as exc:
            raise run.rebased(exc) from None
    remaining = []
    for run, result in results:
        for finding in run.rebase(result.applied):
            if not quiet:
                title = fixer.fix_of(finding).title
                _note(f"fixed {join_path(prefix, finding.path)}:{finding.line}: {finding.code} {title}")
        remaining += run.rebase(result.remaining + _verified(run, result.workspace))
    remaining.sort(key=lambda f: f.sort_key())
    _emit(remaining, output_format, output, inputs.shown, [run for run, _ in results], None, style, prefix)
    return EXIT_FINDINGS if any(cfg.fails(f.severity) for f in remaining) else EXIT_CLEAN


def _color(when: str, output: str | None) -> bool:
    """--color: `always`/`never` as said; `auto` colours a terminal unless NO_COLOR is set, and
    FORCE_COLOR colours anything (https://no-color.org, https://force-color.org)."""
    if when != "auto":
        return when == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return output is None and sys.stdout.isatty()


def _emit(findings, output_format: str, output: str | None, root: str, runs, rules, style=None,
          prefix: str = "") -> None:
    from gwlint.output import report
    from gwlint.output.inventory import linted

    if rules is None:
        from gwlint.engine.registry import load_rules

        rules = load_rules()
    checked = [linted(run.workspace, report.join_path(prefix, run.prefix) if run.prefix else "")
               for run in _linted(runs)]

    quiet = bool(style and style.quiet)
    color = _color(style.color if style else "auto", output)
    if style is not None and style.statistics:
        text = report.as_statistics(findings, output_format == "json", color=color)
    elif output_format == "json":
        text = report.as_json(findings, root, prefix)
    elif output_format == "sarif":
        from gwlint.output.sarif import as_sarif
        text = as_sarif(findings, rules, prefix)
    elif output_format == "github":
        text = report.as_github(findings, prefix)
    elif output_format == "concise":
        text = report.as_concise(findings, color=color, summary=not quiet, prefix=prefix, checked=checked)
    else:
        def source(rel: str) -> str | None:
            for run in runs:
                if not run.prefix or rel.startswith(run.prefix + "/"):
                    try:
                        root_path = run.workspace.root.path
                        return run.workspace.root.read_text(os.path.join(root_path, rel[len(run.prefix):].lstrip("/")))
                    except (InputError, OSError):
                        return None
            return None
        text = report.as_text(findings, source, color=color, summary=not quiet, prefix=prefix, checked=checked)
    _write(text, output)


def _write(text: str, output: str | None) -> None:
    """Write a report or diff; bytes of the configs that are not UTF-8 are written as they were."""
    if output is None:
        buffer = getattr(sys.stdout, "buffer", None)
        if buffer is None:  # a text-only stream (tests): the escaped bytes stay lone surrogates
            sys.stdout.write(text)
        else:
            sys.stdout.flush()
            buffer.write(text.encode("utf-8", "surrogateescape"))
            buffer.flush()
        return
    try:
        with open(output, "w", encoding="utf-8", errors="surrogateescape") as fh:
            fh.write(text)
    except OSError as exc:
        raise InputError(f"cannot write the report: {exc.strerror or exc}", output) from None


def doctor_command(args: argparse.Namespace) -> int:
    """`gwlint doctor`: exit 0 nothing to do, 1 causes named, 2 bad input or usage, 3 a bug."""
    try:
        from pathlib import Path

        from gwlint.doctor.output import as_json, as_text
        from gwlint.doctor.run import run

        report, _ = run(Path(args.root), [Path(log) for log in args.log], args.since, args.live,
                        Path(args.config_file) if args.config_file else None)
        text = as_json(report, clean(args.root)) if args.output_format == "json" else as_text(report)
        sys.stdout.write(text)
    except InputError as exc:
        _error(str(exc))
        return EXIT_ERROR
    except Exception as exc:  # a bug in gwlint: one line, a distinct exit code, never "clean"
        if os.environ.get("GWLINT_DEBUG"):
            import traceback

            traceback.print_exc()
        sys.stderr.write(f"gwlint: internal error: {type(exc).__name__}: {exc} "
                         "(GWLINT_DEBUG=1 shows the traceback; please report it)\n")
        return EXIT_INTERNAL
    return EXIT_FINDINGS if report.diagnoses else EXIT_CLEAN


def rules_command(args: argparse.Namespace) -> int:
    """`gwlint rules`: every code, with severity and whether --fix can fix it."""
    from gwlint.engine import ruledocs

    try:
        sys.stdout.write(ruledocs.table(args.output_format))
    except RuleError as exc:
        _error(str(exc))
        return EXIT_ERROR
    return EXIT_CLEAN


def rule_command(args: argparse.Namespace) -> int:
    """`gwlint rule CODE`: one rule's documentation."""
    from gwlint.engine import ruledocs

    try:
        sys.stdout.write(ruledocs.describe(args.code))
    except (InputError, RuleError) as exc:
        _error(str(exc))
        return EXIT_ERROR
    return EXIT_CLEAN


def completion_command(args: argparse.Namespace) -> int:
    """`gwlint completion SHELL`: the script that asks gwlint for completions."""
    from gwlint.completion import script

    sys.stdout.write(script(args.shell))
    return EXIT_CLEAN


def server_command(args: argparse.Namespace) -> int:
    try:
        from gwlint.server.lsp import serve
    except ImportError as exc:
        _error(f"gwlint server needs pygls: pip install 'gwlint[server]' ({exc})")
        return EXIT_ERROR
    return serve()


def main() -> None:
    """The console script. Exits with os._exit once output is flushed: freeing a large model
    object by object at shutdown costs more than building it (~1 s of 5 on 10,000 sites).
    The cyclic GC stays off for the same reason: the model lives until exit (--fix turns it on)."""
    import gc

    gc.disable()
    try:
        code = app()
    except KeyboardInterrupt:
        code = 130
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a closed pipe: let the interpreter report it as usual
        raise SystemExit(code) from None
    os._exit(code)
