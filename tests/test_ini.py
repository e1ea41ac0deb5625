"""The INI reader: what php-fpm and php.ini accept, each setting with its line."""

import pytest

from gwlint.errors import InputError
from gwlint.load.ini import parse_ini


def settings(text):
    return [(s.section, s.key, s.value, s.line) for s in parse_ini(text, "www.conf").settings]


def test_semicolon_and_hash_comments_full_line_and_trailing():
    text = "; comment\n[www]\n# also a comment\nuser = www-data ; trailing\n;listen = /old.sock\n"
    assert settings(text) == [("www", "user", "www-data", 4)]


def test_repeated_keys_all_kept_in_order_with_lines():
    text = "[www]\nlisten = /a.sock\npm = static\nlisten = /b.sock\n"
    assert settings(text) == [("www", "listen", "/a.sock", 2), ("www", "pm", "static", 3),
                              ("www", "listen", "/b.sock", 4)]


def test_reopened_sections_are_separate_headers():
    ini = parse_ini("[global]\npid = a\n[www]\nuser = x\n[global]\ndaemonize = no\n[www]\nlisten = 9000\n", "f")
    assert [(s.name, s.line) for s in ini.sections] == [("global", 1), ("www", 3), ("global", 5), ("www", 7)]
    assert [(s.section, s.key) for s in ini.settings] == [("global", "pid"), ("www", "user"),
                                                          ("global", "daemonize"), ("www", "listen")]


def test_quotes_are_removed_and_protect_semicolons():
    text = '[PHP]\na = "x ; y"\nb = \'single\'\nc = E_ALL & ~E_DEPRECATED\nd =\n'
    assert settings(text) == [("PHP", "a", "x ; y", 2), ("PHP", "b", "single", 3),
                              ("PHP", "c", "E_ALL & ~E_DEPRECATED", 4), ("PHP", "d", "", 5)]


def test_no_section_header_gives_section_none():
    assert settings("listen = 9000\npm.max_children = 5\n") == [(None, "listen", "9000", 1),
                                                                 (None, "pm.max_children", "5", 2)]


def test_array_keys_and_equals_in_values():
    text = "[www]\nphp_admin_value[error_log] = /var/log/$pool.log\nenv[PATH] = /usr/bin:/bin\nx = a=b\n"
    assert settings(text) == [("www", "php_admin_value[error_log]", "/var/log/$pool.log", 2),
                              ("www", "env[PATH]", "/usr/bin:/bin", 3), ("www", "x", "a=b", 4)]


def test_crlf_lines():
    assert settings("[www]\r\nuser = a\r\n") == [("www", "user", "a", 2)]


@pytest.mark.parametrize("text, line", [("[www]\nthis is not a setting\n", 2), ("[www\nuser = a\n", 1),
                                        ("[www]\n= value\n", 2)])
def test_malformed_lines_are_input_errors_with_line(text, line):
    with pytest.raises(InputError) as info:
        parse_ini(text, "www.conf")
    assert (info.value.path, info.value.line) == ("www.conf", line)


def test_hash_inside_a_value_is_not_a_comment():
    # PHP 7+ reads `#` as part of the value (Debian's php.ini ships `;highlight.string = #DD0000`)
    assert settings("[PHP]\nhighlight.string  = #DD0000\nx = a # b\n") == [
        ("PHP", "highlight.string", "#DD0000", 2), ("PHP", "x", "a # b", 3)]
