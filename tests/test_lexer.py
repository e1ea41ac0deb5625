"""gwlint.load.lexer yields crossplane's tokens exactly: token, line number and quoted flag."""

import io
import sys
from pathlib import Path

from crossplane.lexer import _lex_file_object
from hypothesis import given, settings
from hypothesis import strategies as st

from gwlint.load.lexer import lex

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from gen import generate  # noqa: E402


def crossplane_tokens(text: str) -> list:
    return list(_lex_file_object(io.StringIO(text)))


def test_fixture_files_lex_identically():
    files = [p for p in (ROOT / "fixtures").rglob("*") if p.is_file() and "nginx" in p.parts]
    assert files
    for path in files:
        text = path.read_text()
        assert list(lex(text)) == crossplane_tokens(text), path


def test_generated_tree_lexes_identically():
    for rel, text in generate(40, seed=7).items():
        if rel.startswith("etc/nginx/"):
            assert list(lex(text)) == crossplane_tokens(text), rel


def test_quirks_match_crossplane():
    cases = [
        'a "b\\"c" \'d\\\'e\' f;\n',      # escaped quotes inside quotes are unescaped
        "a b\\ c;\n",                      # an escaped space stays in the bare token
        'a x"y z"w;\n',                    # quotes inside a bare token are plain characters
        "a b;  # trailing comment\n#c\n",  # comments, at line start and after a directive
        "a b#c;\n",                        # '#' inside a token is not a comment
        'a "multi\nline" b;\nc;\n',        # quoted token keeps the line it starts on
        "a b;\n# no final newline",        # a comment without newline ends the stream
        "a b;\nc",                         # a token cut by end of file is dropped
        'a "unterminated;\nb;\n',          # an unterminated quote ends the stream
        "a b\\",                           # a lone backslash at the end
        "a\u00a0b;\x0bc\x1cd;\r\n",        # Unicode whitespace as str.isspace() sees it
        "a ${x} y;\n",                     # parameter expansion: crossplane's own path
        "a b\\\nc;\n",                     # backslash-newline: crossplane's own path
        "content_by_lua_block { ngx.say('}') }\n",
    ]
    for text in cases:
        assert list(lex(text)) == crossplane_tokens(text), text


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab#;{}\"'\\ \n\t\r$x\u00a0\x0b\u2028")), max_size=60))
def test_random_text_lexes_identically(text):
    assert list(lex(text)) == crossplane_tokens(text)
