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
