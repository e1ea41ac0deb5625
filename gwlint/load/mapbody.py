"""Files included inside a `map {}` block, kept as text: entries are read when a rule asks.

A map include can hold a million `key value;` lines (redirect tables, host lists). Parsed as
directives, each would be a node twice over (the file's tree and the expanded tree): ~27 s and
~900 MB for 1.2M entries (README, Performance). A file whose every line is an entry, a comment
or blank is checked with one regular expression and kept as its text (which the root keeps for
fixes anyway); `entries()` matches it again only when a rule reads the map's values. Anything
else (an entry over several lines or two on one line, a backslash, `${`, `{`, `include`,
`hostnames;`, whitespace other than spaces and tabs, non-ASCII text) goes through the nginx
parser as any included file.

The tokens are the lexer's (gwlint.load.lexer, token for token crossplane's): a bare token does
not start with a quote or `#`; a quoted one is taken without its quotes (no backslash, so nothing
to unescape); `#` at the start of a token opens a comment to the end of the line.
"""

import re
from collections.abc import Iterator

from gwlint.load.lexer import _plugin_lexers
from gwlint.load.template import find_template

# ASCII only (checked first): a bare token's first character is printable and none of "#';\{}
_BARE = r"""[!$-&(-:<-\[\]-z|~][!-:<-\[\]-z|~]*"""
_TOKEN = rf"""(?:({_BARE})|"([^"\\\n]*)"|'([^'\\\n]*)')"""
# Patterns are compiled on first use (re caches them): most trees have no map include.
# one line: an optional `key value;`, then an optional comment (crossplane's: to the end of the line)
_ENTRY = rf"""[ \t]*(?:{_TOKEN}[ \t]+{_TOKEN}[ \t]*;)?[ \t\r]*(?:\#([^\n\\]*))?\n"""
# the whole file as such lines, on its bytes, every repeat possessive (`{_BARE}+`: its last one): ~0.3 s for 26 MB
_ANY = rf"""(?:{_BARE}+|"[^"\\\n]*+"|'[^'\\\n]*+')"""
_FILE = rf"""(?:[ \t]*+(?:{_ANY}[ \t]++{_ANY}[ \t]*+;)?+[ \t\r]*+(?:\#[^\n\\]*+)?+\n)*+""".encode()
_INCLUDE = r"""(?m)^[ \t]*(?:include|"include"|'include')[ \t]"""  # nginx includes that
_HAS_HASH = r"(?m)^[^\n#]*#"


class MapBody:
    """A map include read as text: its comments now, its entries on demand."""

    __slots__ = ("comments", "rel", "text")

    def __init__(self, rel: str, text: str, comments: list[tuple[int, str]]):
        self.rel = rel
        self.text = text
        self.comments = comments

    def entries(self) -> Iterator[tuple[str, str, bool, int]]:
        """(key, value, whether the value was quoted, line) of every entry, in file order."""
        for line, m in enumerate(re.finditer(_ENTRY, self.text), 1):  # every line is one match
            bare_key, double_key, single_key, bare, double, single, _ = m.groups()
            key = bare_key if bare_key is not None else double_key if double_key is not None else single_key
            if key is not None:
                yield key, (bare if bare is not None else double if double is not None else single), bare is None, line


def read_map_body(text: str, rel: str) -> MapBody | None:
    """The file as a MapBody, or None when the nginx parser must read it (see the module doc; an
    unrendered template too, which the parser reports)."""
    if not text.isascii() or "${" in text or "_by_lua_block" in text or _plugin_lexers():
        return None
    if text and not text.endswith("\n"):
        text += "\n"  # (what parse_text's sentinel does for the last line)
    if re.fullmatch(_FILE, text.encode()) is None or ("include" in text and re.search(_INCLUDE, text)):
        return None
    if find_template(text, rel, "nginx") is not None:
        return None
    comments = []
    if "#" in text:
        line, pos = 1, 0
        for hit in re.finditer(_HAS_HASH, text):  # the lines holding a `#`: few in a large table
            start = hit.start()
            line += text.count("\n", pos, start)
            pos = start
            m = re.compile(_ENTRY).match(text, start)
            if m is not None and m.group(7) is not None:
                comments.append((line, m.group(7)))
    return MapBody(rel, text, comments)
