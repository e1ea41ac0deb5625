"""A regex-driven nginx tokenizer that yields exactly crossplane's tokens, several times faster.

crossplane's `_lex_file_object` walks the text one character at a time through three stacked
generators; on large trees it is most of gwlint's run time (see README, Performance). `lex`
matches whole tokens with one regular expression and yields the same (token, line, quoted)
tuples, including crossplane's quirks: a token still open at end of file is dropped, an
unterminated quote or a comment without a final newline ends the stream silently, `\\x` escapes
stay in bare tokens, and `\\"` inside quotes becomes `"`.

Texts whose handling is stateful in crossplane go to crossplane itself: `${...}` parameter
expansion, backslash-newline (its line counting differs), and lua `*_by_lua_block` directives
(crossplane's external lexer). tests/test_lexer.py checks equality token for token, line numbers
included, on the fixtures, generated trees and random text.
"""

import io
import re
import sys
from collections.abc import Iterator


def _plugin_lexers() -> bool:
    """True when a crossplane plug-in registered an external lexer beyond the lua blocks."""
    lexer = sys.modules.get("crossplane.lexer")
    return lexer is not None and any(not name.endswith(_LUA) for name in lexer.EXTERNAL_LEXERS)


_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<bare>(?:\\[\s\S]|[^\s"'{};\#\\])(?:\\[\s\S]|[^\s{};\\])*)
  | (?P<special>[{};])
  | (?P<comment>\#(?:\\[^\n]|[^\\\n])*)\\?\n
  | "(?P<double>(?:\\[\s\S]|[^"\\])*)"
  | '(?P<single>(?:\\[\s\S]|[^'\\])*)'
""", re.VERBOSE)
_CROSSPLANE_ONLY = re.compile(r"\$\{|\\\n|_by_lua_block")
_LUA = "_by_lua_block"  # crossplane's built-in external lexers: all lua blocks


def lex(text: str) -> Iterator[tuple[str, int, bool]]:
    """(token, line, quoted) for every token of an nginx file, as crossplane yields them."""
    if _CROSSPLANE_ONLY.search(text) or _plugin_lexers():
        from crossplane.lexer import _lex_file_object  # imported only when needed: ~10 ms

        yield from _lex_file_object(io.StringIO(text))
        return
    match = _TOKEN.match
    count = text.count
    end_of_text = len(text)
    pos, line = 0, 1
    while pos < end_of_text:
        m = match(text, pos)
        if m is None:  # an unterminated quote or comment, or a lone backslash at the end
            return
        kind = m.lastgroup or ""  # every alternative is a named group
        start, pos = m.span()
        if kind == "space":
            line += count("\n", start, pos)
        elif kind == "bare":
            if pos >= end_of_text or text[pos] == "\\":  # crossplane drops a token cut by end of file
                return
            yield m.group(kind), line, False
            line += count("\n", start, pos)
        elif kind == "special":
            yield m.group(kind), line, False
        elif kind == "comment":
            yield m.group(kind), line, False
            line += count("\n", start, pos)
        else:
            quote = '"' if kind == "double" else "'"
            yield m.group(kind).replace("\\" + quote, quote), line, True
            line += count("\n", start, pos)

