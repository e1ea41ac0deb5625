"""The README's examples, by name: the fenced block under `<!-- example: NAME -->`."""

import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def example(name: str) -> str:
    """The text of the fenced code block that follows the marker (fences excluded)."""
    m = re.search(rf"<!-- example: {re.escape(name)} -->\n```[\w-]*\n(.*?)^```", README.read_text(),
                  re.S | re.M)
    assert m, f"README has no example {name!r}"
    return m.group(1)
