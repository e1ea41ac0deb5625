"""nginx: the tree builder (syntax errors with path:line, comments, crowded lines) and includes."""

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gwlint.errors import InputError
from gwlint.load.ini import parse_ini
from gwlint.load.nginx import parse_text
from gwlint.model.workspace import load_workspace
from gwlint.testing import write_tree


def error_of(text: str) -> InputError:
    with pytest.raises(InputError) as info:
        parse_text(text, "etc/nginx/nginx.conf")
    return info.value


@pytest.mark.parametrize("text, line, words", [
    ("events {}\nhttp {\n    server {\n        listen 80;\n    }\n", 2, '"http" block is never closed'),
    ("events {}\n}\n", 2, 'unexpected "}"'),
    ("events {}\nuser nginx\n", 2, 'expecting ";"'),
    ("http {\n    server_name a\n}\n", 2, 'directive "server_name" is not terminated by ";"'),
    ("events {}\nuser nginx;\nhttp", 3, 'expecting ";"'),
    ('events {}\nlog_format main "$remote_addr\n\nhttp {}\n', 2, "unterminated quoted string"),
    ("user nginx;\n;\n", 2, 'unexpected ";"'),
])
def test_syntax_errors_name_path_and_line(text, line, words):
    exc = error_of(text)
    assert (exc.path, exc.line) == ("etc/nginx/nginx.conf", line)
    assert words in exc.message
    assert str(exc).startswith(f"etc/nginx/nginx.conf:{line}: ")


def test_directives_lines_args_quotes_and_end_lines():
    parsed = parse_text('user nginx;\nhttp {\n    log_format main \'$a "b"\'\n        "$c";\n}\n', "n.conf")
    user, http = parsed.directives
    assert (user.name, user.args, user.line) == ("user", ["nginx"], 1)
    (fmt,) = http.block
    assert fmt.args == ["main", '$a "b"', "$c"] and fmt.quoted == [False, True, True]
    assert (fmt.line, fmt.end_line) == (3, 4)
    assert (http.line, http.end_line) == (2, 2)  # end_line of a block is its `{`


def test_comments_are_kept_apart_and_never_directives():
    parsed = parse_text("# top\nuser nginx; # worker\n#fastcgi_pass unix:/old.sock;\n", "n.conf")
    assert [d.name for d in parsed.directives] == ["user"]
    assert parsed.comments == [(1, " top"), (2, " worker"), (3, "fastcgi_pass unix:/old.sock;")]


def test_comment_at_end_of_file_without_newline_is_fine():
    assert [d.name for d in parse_text("user nginx;\n# last", "n.conf").directives] == ["user"]


def test_crowded_lines_are_recorded():
    parsed = parse_text("http { server { listen 80; }\n    gzip on;\n    a 1; b 2;\n}\n", "n.conf")
    assert parsed.crowded_lines == {1, 3}


def test_template_syntax_is_reported_not_linted(tmp_path):
    root = write_tree({"etc/nginx/nginx.conf": "events {}\nhttp { include conf.d/*.conf; }\n",
                       "etc/nginx/conf.d/app.conf": "server {\n    listen {{ port }};\n}\n"}, tmp_path)
    ws = load_workspace(root)
    (problem,) = ws.problems
    assert (problem.code, problem.path, problem.line) == ("GW903", "etc/nginx/conf.d/app.conf", 2)


# includes ----------------------------------------------------------------------------------

def names(ws):
    return [(d.name, d.path) for d in ws.nginx[0].main.walk() if d.name not in ("events", "http")]


def test_include_glob_relative_and_absolute_paths(tmp_path):
    root = write_tree({
        "etc/nginx/nginx.conf": "events {}\nhttp {\n    include conf.d/*.conf;\n    include /etc/nginx/extra;\n}\n",
        "etc/nginx/conf.d/b.conf": "gzip on;\n",
        "etc/nginx/conf.d/a.conf": "sendfile on;\n",
        "etc/nginx/conf.d/skip.txt": "nonsense\n",
        "etc/nginx/extra": "tcp_nopush on;\n",
    }, tmp_path)
    ws = load_workspace(root)
    got = [(n, p) for n, p in names(ws) if n != "include"]
    assert got == [("sendfile", "etc/nginx/conf.d/a.conf"), ("gzip", "etc/nginx/conf.d/b.conf"),
                   ("tcp_nopush", "etc/nginx/extra")]
    gzip = ws.directives("gzip")[0]
    assert gzip.parent.name == "http" and gzip.via.args == ["conf.d/*.conf"]
    assert ws.problems == []


def test_relative_include_resolves_against_the_main_file_dir_not_the_including_file(tmp_path):
    root = write_tree({
        "etc/nginx/nginx.conf": "events {}\nhttp { include sites/app; }\n",
        "etc/nginx/sites/app": "server { include snippets/php.conf; }\n",
        "etc/nginx/snippets/php.conf": "fastcgi_index index.php;\n",
    }, tmp_path)
    ws = load_workspace(root)
    assert ws.directives("fastcgi_index")[0].path == "etc/nginx/snippets/php.conf"
    assert ws.problems == []


def _shape(node):
    """A subtree as (name, where, its include's where, children) tuples, each child's parent checked."""
    assert all(d.parent is (node if node.name != "main" else None) for d in node.block or ())
    return [(d.name, d.where, d.via and d.via.where, _shape(d)) for d in node.block or ()]


def test_a_file_included_from_several_places_is_expanded_the_same_at_each(tmp_path):
    """The first expansion takes the parsed directives into the tree, later ones copy them as
    parsed (the later server is expanded first): each place gets its own directives, also from a
    parse a cache keeps for later runs."""
    from gwlint.load.cache import MemoryCache

    root = write_tree({
        "etc/nginx/nginx.conf": "events {}\nhttp {\n    server { include site.conf; }\n"
                                "    server { include site.conf; }\n}\n",
        "etc/nginx/site.conf": "location / {\n    include php.conf;\n}\nlocation /b { include php.conf; }\n",
        "etc/nginx/php.conf": "if ($x) { return 404; }\nfastcgi_index index.php;\n",
    }, tmp_path)

    def php(at):
        return [("if", "etc/nginx/php.conf:1", at, [("return", "etc/nginx/php.conf:1", at, [])]),
                ("fastcgi_index", "etc/nginx/php.conf:2", at, [])]

    def server(line):
        via = f"etc/nginx/nginx.conf:{line}"
        return [("include", via, None, []),
                ("location", "etc/nginx/site.conf:1", via,
                 [("include", "etc/nginx/site.conf:2", via, []), *php("etc/nginx/site.conf:2")]),
                ("location", "etc/nginx/site.conf:4", via,
                 [("include", "etc/nginx/site.conf:4", via, []), *php("etc/nginx/site.conf:4")])]

    expected = [server(3), server(4)]
    cache = MemoryCache()
    first = load_workspace(root, cache=cache)
    assert [_shape(s) for s in first.directives("server")] == expected
    again = load_workspace(root, cache=cache)  # from the parses the cache kept
    assert [_shape(s) for s in again.directives("server")] == expected
    assert [_shape(s) for s in first.directives("server")] == expected  # the first tree untouched
    assert len({id(d) for ws in (first, again) for d in ws.directives("return")}) == 8
    plain = load_workspace(root)  # no cache: the parsed directives themselves are in the tree
    assert [_shape(s) for s in plain.directives("server")] == expected


def test_missing_include_is_gw901_not_a_crash(tmp_path):
    root = write_tree({"etc/nginx/nginx.conf": "events {}\nhttp {\n    include /etc/nginx/nope.conf;\n}\n"},
                      tmp_path)
    (problem,) = load_workspace(root).problems
    assert (problem.code, problem.path, problem.line) == ("GW901", "etc/nginx/nginx.conf", 3)


def test_empty_glob_is_not_a_problem(tmp_path):
    root = write_tree({"etc/nginx/nginx.conf": "events {}\nhttp { include conf.d/*.conf; }\n"}, tmp_path)
    assert load_workspace(root).problems == []


def test_include_cycle_is_cut_and_reported(tmp_path):
    root = write_tree({
        "etc/nginx/nginx.conf": "events {}\nhttp { include a.conf; }\n",
        "etc/nginx/a.conf": "gzip on;\ninclude b.conf;\n",
        "etc/nginx/b.conf": "sendfile on;\ninclude a.conf;\n",
    }, tmp_path)
    ws = load_workspace(root)
    assert [(p.code, p.path, p.line) for p in ws.problems] == [("GW902", "etc/nginx/b.conf", 2)]
    assert len(ws.directives("gzip")) == 1 and len(ws.directives("sendfile")) == 1


def test_symlink_inside_root_is_followed_and_reported_at_its_target(tmp_path):
    root = write_tree({
        "etc/nginx/nginx.conf": "events {}\nhttp { include sites-enabled/*; }\n",
        "etc/nginx/sites-available/app": "server {\n    listen 8080;\n}\n",
    }, tmp_path)
    (root / "etc/nginx/sites-enabled").mkdir()
    os.symlink("../sites-available/app", root / "etc/nginx/sites-enabled/app")
    (listen,) = load_workspace(root).directives("listen")
    assert (listen.path, listen.line, listen.args) == ("etc/nginx/sites-available/app", 2, ["8080"])


def test_symlink_leaving_root_is_never_followed(tmp_path):
    outside = tmp_path / "outside.conf"
    outside.write_text("server { listen 6666; }\n")
    root = write_tree({"etc/nginx/nginx.conf":
                       "events {}\nhttp {\n    include sites-enabled/*;\n    include /etc/nginx/direct.conf;\n}\n"},
                      tmp_path / "root")
    (root / "etc/nginx/sites-enabled").mkdir()
    os.symlink("../../../../outside.conf", root / "etc/nginx/sites-enabled/relative")
    os.symlink(outside, root / "etc/nginx/sites-enabled/absolute")  # means ROOT/<that path>: absent
    os.symlink(outside, root / "etc/nginx/direct.conf")
    ws = load_workspace(root)
    assert ws.directives("listen") == []
    absolute, relative, direct = sorted(ws.problems, key=lambda p: (p.line, p.message))
    assert [(p.code, p.line) for p in (absolute, relative, direct)] == [("GW906", 3), ("GW906", 3), ("GW901", 4)]
    assert f"sites-enabled/absolute, a symlink to {outside}, outside what the tree holds: not linted" \
        in absolute.message and absolute.severity.value == "warning"
    assert "sites-enabled/relative, a symlink leaving the linted root: not linted" in relative.message


def test_dangling_symlink_in_a_glob_is_gw901(tmp_path):
    root = write_tree({"etc/nginx/nginx.conf": "events {}\nhttp {\n    include sites-enabled/*;\n}\n",
                       "etc/nginx/sites-available/ok": "server { listen 80; }\n"}, tmp_path)
    (root / "etc/nginx/sites-enabled").mkdir()
    os.symlink("../sites-available/ok", root / "etc/nginx/sites-enabled/ok")
    os.symlink("../sites-available/gone", root / "etc/nginx/sites-enabled/gone")
    ws = load_workspace(root)
    assert len(ws.directives("listen")) == 1
    (problem,) = ws.problems
    assert (problem.code, problem.line, problem.severity.value) == ("GW901", 3, "error")
    assert problem.message == ('include "sites-enabled/*" matches etc/nginx/sites-enabled/gone, a symlink to '
                               "../sites-available/gone, which does not exist: nginx fails to start "
                               "(open() failed (2: No such file or directory))")


def test_absolute_symlinks_mean_paths_under_the_root(tmp_path):
    # a server copied with `cp -a`: Debian's and phpenmod's links are absolute
    root = write_tree({
        "etc/nginx/nginx.conf": "events {}\nhttp {\n    include /etc/nginx/sites-enabled/*;\n"
                                "    include /etc/nginx/linked-dir/*.conf;\n}\n",
        "etc/nginx/sites-available/default": "server {\n    listen 8080;\n}\n",
        "etc/nginx/real-dir/a.conf": "gzip on;\n",
        "etc/php/8.2/fpm/php-fpm.conf": "[www]\nlisten = 9000\n",
        "etc/php/8.2/fpm/php.ini": "[PHP]\nmemory_limit = 128M\n",
        "etc/php/8.2/mods-available/opcache.ini": "memory_limit = 1G\n",
    }, tmp_path)
    (root / "etc/nginx/sites-enabled").mkdir()
    os.symlink("/etc/nginx/sites-available/default", root / "etc/nginx/sites-enabled/default")
    os.symlink("/etc/nginx/real-dir", root / "etc/nginx/linked-dir")
    (root / "etc/php/8.2/fpm/conf.d").mkdir()
    os.symlink("/etc/php/8.2/mods-available/opcache.ini", root / "etc/php/8.2/fpm/conf.d/10-opcache.ini")
    ws = load_workspace(root)
    assert ws.problems == []
    (listen,) = ws.directives("listen")
    assert (listen.path, listen.line) == ("etc/nginx/sites-available/default", 2)
    assert [d.path for d in ws.directives("gzip")] == ["etc/nginx/real-dir/a.conf"]
    assert ws.pools[0].php_ini("memory_limit").path == "etc/php/8.2/mods-available/opcache.ini"


def test_symlink_loop_is_not_followed(tmp_path):
    root = write_tree({"etc/nginx/nginx.conf": "events {}\nhttp { include /etc/nginx/loop; }\n"}, tmp_path)
    os.symlink("/etc/nginx/loop", root / "etc/nginx/loop")
    assert [p.code for p in load_workspace(root).problems] == ["GW901"]


def test_absolute_include_never_reads_the_host(tmp_path):
    # /etc/passwd exists on the host; under the root it does not
    root = write_tree({"etc/nginx/nginx.conf": "events {}\ninclude /etc/passwd;\n"}, tmp_path)
    (problem,) = load_workspace(root).problems
    assert problem.code == "GW901"


# any text: a tree or an InputError, never another exception -----------------------------------

NGINXISH = st.text(alphabet=st.sampled_from(list("ab ;{}#\"'\\$\n\t\r=[]") + ["\u00e9", "\x0c"]), max_size=60)


@settings(max_examples=300, deadline=None)
@given(NGINXISH)
def test_parsers_raise_only_input_errors(text):
    for parse in (parse_text, parse_ini):
        try:
            parse(text, "f.conf")
        except InputError as exc:
            assert exc.path == "f.conf" and (exc.line is None or 1 <= exc.line <= text.count("\n") + 1)
