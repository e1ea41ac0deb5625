"""parse_ini's direct path gives exactly what configobj gives on the same tagged lines."""

from pathlib import Path
import re
import sys

from hypothesis import given, settings, strategies as st
import pytest

from gwlint import ini
from gwlint.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from gen import generate  # noqa: E402


def both(text: str, monkeypatch) -> tuple:
    """(direct result, configobj result); each is an IniFile or the InputError text."""
    def run():
        try:
            return ini.parse_ini(text, "x.ini")
        except InputError as exc:
            return str(exc)
    fast = run()
    with monkeypatch.context() as m:
        m.setattr(ini, "_NO_LIST_VALUE", re.compile(r"(?!)"))  # nothing is simple: configobj parses all
        slow = run()
    return fast, slow


def test_fixture_and_generated_ini_files_agree(monkeypatch):
    texts = [p.read_text() for p in (ROOT / "fixtures").rglob("*") if p.suffix in (".ini", ".conf")
             and "php" in p.parts]
    texts += [t for rel, t in generate(20, seed=3).items() if rel.startswith("etc/php/")]
    assert len(texts) > 20
    for text in texts:
        fast, slow = both(text, monkeypatch)
        assert fast == slow and not isinstance(fast, str)


@pytest.mark.parametrize("text", [
    "a = 1\n[www]\nb = 'x y'\nc = \"q\" # note\nd =\ne = x#y\n",
    "a = \"unterminated\n",                       # configobj's error, same message
    "a = \"x\" y\n",                              # text after a quoted value is an error
    "a = '''multi\nline'''\n",                    # triple quotes: configobj's multi-line value
    "a = '''one line'''\n",
])
def test_edge_values_agree(text, monkeypatch):
    fast, slow = both(text, monkeypatch)
    assert fast == slow


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b.c", "php_value[x]", "[pool]"]),
                          st.text(alphabet=st.sampled_from(list("ab \"'#;=\t")), max_size=12)),
                max_size=8))
def test_random_lines_agree(lines):
    text = "".join(f"{k}\n" if k.startswith("[") else f"{k} = {v}\n" for k, v in lines)
    mp = pytest.MonkeyPatch()
    try:
        fast, slow = both(text, mp)
    finally:
        mp.undo()
    assert fast == slow


def test_value_pattern_is_configobjs():
    from configobj import ConfigObj

    assert ini._NO_LIST_VALUE.pattern == ConfigObj._nolistvalue.pattern
    assert ini._NO_LIST_VALUE.flags == ConfigObj._nolistvalue.flags
