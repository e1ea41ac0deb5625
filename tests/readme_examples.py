"""The README's example outputs, produced by the current code.

A block is an example when the line before its opening fence is

    <!-- example: gwlint check fixtures/demo -->          (stdout and stderr, interleaved)
    <!-- example stdout: gwlint check fixtures/x --diff -->  (stdout only)

optionally `cd DIR && gwlint ...`; a block that starts with `$ ` shows the command (without the
`cd`) on its first line. Commands run in-process on a copy of fixtures/ (so --fix
changes nothing in the repository), from a directory holding that copy as `fixtures/`, with
`NO_COLOR` set and no parse cache. `python tests/readme_examples.py` rewrites the blocks
(`make readme-examples`); tests/test_readme_examples.py fails when one differs.
"""

import os
import re
import shlex
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
EXAMPLE = re.compile(r"^<!-- example( stdout)?: (.+?) -->\n(```\w*\n)(.*?)^```$", re.M | re.S)


def run_example(command: str, stdout_only: bool, workdir: Path) -> str:
    """What `command` prints, run from `workdir` (which holds `fixtures/`)."""
    from gwlint.cli import app
    from gwlint.testing import CliRunner

    cwd = workdir
    if command.startswith("cd "):
        directory, command = command[3:].split(" && ", 1)
        cwd = workdir / directory
    argv = shlex.split(command)
    assert argv[0] == "gwlint", command
    saved = os.getcwd(), {k: os.environ.get(k) for k in ("NO_COLOR", "FORCE_COLOR", "GWLINT_NO_CACHE")}
    os.chdir(cwd)
    os.environ.update(NO_COLOR="1", GWLINT_NO_CACHE="1")
    os.environ.pop("FORCE_COLOR", None)
    try:
        result = CliRunner().invoke(app, argv[1:])
    finally:
        os.chdir(saved[0])
        for key, value in saved[1].items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return result.stdout if stdout_only else result.output


def expected(match: re.Match) -> str:
    """The text an example block should hold: what its command prints now."""
    command = match.group(2)
    with tempfile.TemporaryDirectory() as tmp:
        for name in set(re.findall(r"fixtures/([\w.-]+)", command)):  # only the trees it names
            shutil.copytree(REPO / "fixtures" / name, Path(tmp) / "fixtures" / name, symlinks=True,
                            ignore=shutil.ignore_patterns(".gwlint_cache"))
        output = run_example(command, bool(match.group(1)), Path(tmp))
    if match.group(4).startswith("$ "):
        output = f"$ {command.split(' && ', 1)[-1]}\n{output}"
    return output


def examples(readme: str) -> list[tuple[re.Match, str]]:
    """Each example block with the text it should hold."""
    return [(match, expected(match)) for match in EXAMPLE.finditer(readme)]


def update(path: Path = README) -> int:
    """Rewrite every example block with what its command prints; returns how many changed."""
    text = path.read_text(encoding="utf-8")
    changed = 0
    for match, output in reversed(examples(text)):
        if match.group(4) != output:
            changed += 1
            text = text[:match.start(4)] + output + text[match.end(4):]
    path.write_text(text, encoding="utf-8")
    return changed


if __name__ == "__main__":
    sys.path.insert(0, str(REPO / "tests"))
    print(f"{update()} README example(s) rewritten")
