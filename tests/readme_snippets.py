"""The README's code snippets, by name: the fenced block under `<!-- snippet: NAME -->` (tests run them)."""

import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def snippet(name: str) -> str:
    """The text of the fenced code block that follows the marker (fences excluded)."""
    m = re.search(rf"<!-- snippet: {re.escape(name)} -->\n```[\w-]*\n(.*?)^```", README.read_text(),
                  re.S | re.M)
    assert m, f"README has no snippet {name!r}"
    return m.group(1)
