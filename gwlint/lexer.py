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
from typing import Iterator

from crossplane.lexer import EXTERNAL_LEXERS, _lex_file_object

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<bare>(?:\\[\s\S]|[^\s"'{};\#\\])(?:\\[\s\S]|[^\s{};\\])*)
  | (?P<special>[{};])
  | (?P<comment>\#(?:\\[^\n]|[^\\\n])*)\\?\n
  | "(?P<double>(?:\\[\s\S]|[^"\\])*)"
  | '(?P<single>(?:\\[\s\S]|[^'\\])*)'
""", re.VERBOSE)
_CROSSPLANE_ONLY = re.compile(r"\$\{|\\\n|_by_lua_block")
_KNOWN_EXTERNAL = frozenset(EXTERNAL_LEXERS)  # lua blocks; a plug-in adding more disables the fast path


def lex(text: str) -> Iterator[tuple[str, int, bool]]:
    """(token, line, quoted) for every token of an nginx file, as crossplane yields them."""
    if EXTERNAL_LEXERS.keys() - _KNOWN_EXTERNAL or _CROSSPLANE_ONLY.search(text):
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
        kind = m.lastgroup
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

