"""Every example output in the README is what the current code prints (`make readme-examples`)."""

import pytest
from readme_examples import EXAMPLE, README, expected

MATCHES = list(EXAMPLE.finditer(README.read_text(encoding="utf-8")))


def test_the_readme_has_examples():
    commands = [m.group(2) for m in MATCHES]
    assert "gwlint check fixtures/demo" in commands and len(commands) >= 5


@pytest.mark.parametrize("match", MATCHES, ids=[m.group(2) for m in MATCHES])
def test_readme_example_is_current(match):
    assert match.group(4) == expected(match), "run `make readme-examples`"


def test_make_demo_installs_only_gwlint_and_quietly():
    """`make demo` needs gwlint and its run-time dependencies, not the test tools, and pip's
    chatter stays out of the demo (a fresh run was ~40 lines of setuptools warnings)."""
    import re

    makefile = (README.parent / "Makefile").read_text()
    demo = re.search(r"^demo: (.+)$", makefile, re.M).group(1).split()
    assert demo == ["$(BIN)/gwlint"]
    recipe = re.search(r"^\$\(BIN\)/gwlint: .*\n((?:\t.*\n)+)", makefile, re.M).group(1)
    assert "$(PIP) -e .\n" in recipe and "[test]" not in recipe
    assert re.search(r"^PIP +:= \$\(BIN\)/pip install -qq ", makefile, re.M)
