"""Tables included in `map {}` (gwlint.load.mapbody) read as the nginx parser reads them."""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_rule_fastcgi_pass_no_pool import NGINX, tree

from gwlint.errors import InputError
from gwlint.load.mapbody import read_map_body
from gwlint.load.nginx import parse_text
from gwlint.testing import lint


def parsed_as_nginx(text: str):
    """What parse_text gives for a table: (entries, comments), entries as mapbody yields them."""
    parsed = parse_text(text, "t.map")
    assert not parsed.crowded_lines and all(d.block is None and len(d.args) == 1 for d in parsed.directives)
    return [(d.name, d.args[0], d.quoted[0], d.line) for d in parsed.directives], parsed.comments


def assert_reads_as_nginx(text: str) -> None:
    body = read_map_body(text, "t.map")
    if body is not None:
        assert (list(body.entries()), body.comments) == parsed_as_nginx(text), text


def test_plain_tables_are_kept_as_text_and_read_as_nginx_does():
    cases = [
        "h1.example 1;\nh2.example 2;\n",
        "# legacy hosts\n\n  a.example   \"quoted value\" ;  # note\n'' empty;\r\n~^/old/(.*)$ /new/$1;\n",
        "default \"\";\nkey x#y;\nk#ey 'v w';\n\t\ta\tb;\n",
        "no-final-newline x;",
        "# only a comment, no newline",
        "",
        "hostnames 1;\nvolatile 2;\n",  # two-token lines: entries of those names (as the parser has them)
    ]
    for text in cases:
        assert read_map_body(text, "t.map") is not None, text
        assert_reads_as_nginx(text)


@pytest.mark.parametrize("text", [
    "a\n  b;\n",                 # an entry over two lines
    "a 1; b 2;\n",               # two entries on one line
    "hostnames;\n",              # a flag
    "include more.map;\n",       # nginx includes that file
    "\"include\" more.map;\n",
    "a \"b\\\"c\";\n",           # a backslash
    "a ${x};\n",                 # parameter expansion
    "a\u00a0b;\n",               # non-ASCII (Unicode whitespace)
    "a\x0bb;\n",                 # whitespace other than spaces and tabs
    "a {\n}\n",
    "a \"multi\nline\";\n",
    "a b c;\n",
    "a;\n",
    "a b\n",                     # no `;`: a parse error, reported by the parser
    "__PLACEHOLDER__ x;\n",      # a template: the parser reports it
])
def test_anything_else_goes_through_the_parser(text):
    assert read_map_body(text, "t.map") is None


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["a", "b1", '"q x"', "'s'", '""', "#c", " ", "\t", ";", "\n", "x#y", "$1",
                                 "~^/a", "{", "\\", '"', "'", "include", "default", "\r", "k\"v"]), max_size=16))
def test_random_tables_read_as_nginx(atoms):
    assert_reads_as_nginx("".join(atoms))


def test_random_line_tables_read_as_nginx():
    rng = random.Random(18)
    lines = ["a b;", "k \"v w\";", "'' x;", "# hi", "", "  c d ; # t", "e\tf;\r", "g 'h'  ;#", "i j;;"]
    for _ in range(2000):
        assert_reads_as_nginx("\n".join(rng.choice(lines) for _ in range(rng.randint(1, 6))))


def test_a_map_value_in_an_included_table_is_checked_at_its_line_and_fixed_there(tmp_path):
    nginx = NGINX.replace("http {\n", "http {\n    map $http_x_php $php {\n        include maps/php.map;\n    }\n"
                          ).replace("unix:/run/php/php8.1-fpm.sock;  # old socket  # expect: GW301", "$php;")
    files = tree(nginx)
    files["etc/nginx/maps/php.map"] = ("# backends by header\ndefault unix:/run/php/php8.2-fpm.sock;\n"
                                       "legacy unix:/run/php/php7.4-fpm.sock;  # expect: GW301\n")
    r = lint(files, tmp_path)
    r.assert_expected()
    (f,) = r.findings
    assert (f.path, f.line) == ("etc/nginx/maps/php.map", 3)
    assert f.fix is not None and not f.fix.safe and f.fix.title == "map value 'legacy' to unix:/run/php/php8.2-fpm.sock"
    assert r.fixed_line("etc/nginx/maps/php.map", 3, unsafe=True) == \
        "legacy unix:/run/php/php8.2-fpm.sock;  # expect: GW301"


def _map_tree(tables: dict[str, str], include: str = "maps/*.map"):
    nginx = NGINX.replace("http {\n", f"http {{\n    map $http_x_php $php {{\n        include {include};\n    }}\n"
                          ).replace("unix:/run/php/php8.1-fpm.sock;  # old socket  # expect: GW301", "$php;")
    files = tree(nginx)
    files.update({f"etc/nginx/maps/{name}": text for name, text in tables.items()})
    return files


def test_every_table_of_a_glob_include_is_read(tmp_path):
    r = lint(_map_tree({"a.map": "default unix:/run/php/php8.2-fpm.sock;\n",
                        "b.map": "# second table\nlegacy unix:/run/php/php7.4-fpm.sock;  # expect: GW301\n"}), tmp_path)
    r.assert_expected()
    assert [(f.path, f.line) for f in r.findings] == [("etc/nginx/maps/b.map", 2)]


def test_a_table_the_parser_refuses_is_reported_at_its_line(tmp_path):
    with pytest.raises(InputError) as caught:
        lint(_map_tree({"a.map": "default unix:/run/php/php8.2-fpm.sock;\nbroken value\n"}), tmp_path)
    assert (caught.value.path, caught.value.line) == ("etc/nginx/maps/a.map", 2)


def test_a_table_also_read_by_geo_is_parsed_there_and_still_read_by_the_map(tmp_path):
    table = "default unix:/run/php/php8.2-fpm.sock;\nlegacy unix:/run/php/php7.4-fpm.sock;\n"
    files = _map_tree({"a.map": table}, include="maps/a.map")
    files["etc/nginx/nginx.conf"] = files["etc/nginx/nginx.conf"].replace(
        "    server {", "    geo $remote_addr $g {\n        include maps/a.map;\n    }\n    server {")
    r = lint(files, tmp_path)
    assert len(r.workspace.nginx_files["etc/nginx/maps/a.map"].directives) == 2  # the parser's, for geo
    assert [(f.code, f.path, f.line) for f in r.findings] == [("GW301", "etc/nginx/maps/a.map", 2)]
