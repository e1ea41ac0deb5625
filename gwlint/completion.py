"""Shell completion from the CLI's own argparse parser: commands, options, their values, rule codes.

The shell script (`gwlint completion SHELL`) calls gwlint with `_GWLINT_COMPLETE=complete_<shell>`,
`COMP_WORDS` (the command line) and `COMP_CWORD` (the index of the word being completed); gwlint
prints one candidate per line. No candidate lets the shell complete file names.
"""

import argparse

_SCRIPTS = {
    "bash": """\
_gwlint_completion() {
    local IFS=$'\\n'
    COMPREPLY=($(env COMP_WORDS="${COMP_WORDS[*]}" COMP_CWORD=$COMP_CWORD _GWLINT_COMPLETE=complete_bash gwlint))
    return 0
}
complete -o default -o nosort -F _gwlint_completion gwlint
""",
    "zsh": """\
autoload -U +X bashcompinit && bashcompinit
_gwlint_completion() {
    local IFS=$'\\n'
    COMPREPLY=($(env COMP_WORDS="${COMP_WORDS[*]}" COMP_CWORD=$COMP_CWORD _GWLINT_COMPLETE=complete_zsh gwlint))
    return 0
}
complete -o default -F _gwlint_completion gwlint
""",
    "fish": """\
function __gwlint_complete
    set -l words (commandline -opc) (commandline -ct)
    env COMP_WORDS="$words" COMP_CWORD=(math (count $words) - 1) _GWLINT_COMPLETE=complete_fish gwlint
end
complete -c gwlint -a '(__gwlint_complete)'
""",
}

_CODE_METAVARS = ("CODES", "CODE")


def script(shell: str) -> str:
    return _SCRIPTS[shell]


def _codes(with_names: bool) -> list[str]:
    from gwlint.engine import ruledocs

    rows = ruledocs.rows()
    return [row[0] for row in rows] + ([row[1] for row in rows] if with_names else [])


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _options(parser: argparse.ArgumentParser) -> dict[str, argparse.Action]:
    return {flag: action for action in parser._actions for flag in action.option_strings}


def candidates(parser: argparse.ArgumentParser, words: list[str], cword: int) -> list[str]:
    """What may come at `words[cword]` (words[0] is the program)."""
    current = words[cword] if cword < len(words) else ""
    before = words[1:cword]
    commands = _subcommands(parser)
    command = next((w for w in before if w in commands), None)
    here = commands[command] if command else parser
    options = _options(here)
    if before and before[-1] in options:  # the value of an option
        action = options[before[-1]]
        if action.nargs != 0:
            return _values(action, current)
    if current.startswith("-"):
        return [flag for flag in options if flag.startswith("--") and flag.startswith(current)] or \
            [flag for flag in options if flag.startswith(current)]
    if command is None:
        return [name for name in commands if name.startswith(current)]
    positionals = [a for a in here._actions if not a.option_strings]
    if any(a.metavar in _CODE_METAVARS for a in positionals):
        return [c for c in _codes(with_names=True) if c.lower().startswith(current.lower())]
    if any(a.choices for a in positionals):
        return [c for a in positionals for c in (a.choices or ()) if c.startswith(current)]
    return []


def _values(action: argparse.Action, current: str) -> list[str]:
    if action.choices:
        aliases = {"text"} if "full" in action.choices else set()  # check's `text` is `full`
        return [c for c in action.choices if c.startswith(current) and c not in aliases]
    if action.metavar in _CODE_METAVARS:  # comma-separated: complete the last item
        head, _, last = current.rpartition(",")
        head = head + "," if head else ""
        return [head + code for code in _codes(with_names=False) if code.startswith(last.upper())]
    return []


def complete(parser: argparse.ArgumentParser, env) -> str:
    words = env.get("COMP_WORDS", "").split()
    try:
        cword = int(env.get("COMP_CWORD", len(words)))
    except ValueError:
        cword = len(words)
    return "".join(c + "\n" for c in candidates(parser, words, cword))
