"""Every example output in the README is what the current code prints (`make readme-examples`)."""

import pytest
from readme_examples import README, examples

EXAMPLES = examples(README.read_text(encoding="utf-8"))


def test_the_readme_has_examples():
    commands = [m.group(2) for m, _ in EXAMPLES]
    assert "gwlint check fixtures/demo" in commands and len(commands) >= 5


@pytest.mark.parametrize("match, output", EXAMPLES, ids=[m.group(2) for m, _ in EXAMPLES])
def test_readme_example_is_current(match, output):
    assert match.group(4) == output, "run `make readme-examples`"
