"""Edit helpers: exact line edits that keep what they do not change, and decline what they cannot."""

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from gwlint.errors import InputError
from gwlint.fix.edits import insert_directive, quote, set_args, set_ini
from gwlint.fix.loop import apply_edits
from gwlint.load.nginx import parse_text
from gwlint.load.template import find_template
from gwlint.model.workspace import load_workspace
from gwlint.testing import write_tree

CONF = "etc/nginx/nginx.conf"


def ws_of(tmp_path, nginx: str, **files):
    return load_workspace(write_tree({CONF: nginx, **files}, tmp_path))


def only(ws, name):
    (d,) = ws.directives(name)
    return d


def applied(ws, fix, rel=CONF) -> str:
    return apply_edits((Path(ws.root.path) / rel).read_bytes().decode("utf-8-sig"),
                       [e for e in fix.edits if e.path == rel])


# set_args ----------------------------------------------------------------------------------

def test_set_args_keeps_indent_spacing_and_trailing_comment(tmp_path):
    ws = ws_of(tmp_path, "http {\n\tserver {\n\t\tfastcgi_pass   unix:/old.sock;   # keep me\n\t}\n}\n")
    fix = set_args(ws, only(ws, "fastcgi_pass"), ["unix:/new.sock"], "t")
    (edit,) = fix.edits
    assert (edit.start, edit.end, fix.safe) == (3, 3, True)
    assert edit.lines == ("\t\tfastcgi_pass   unix:/new.sock;   # keep me",)


def test_set_args_keeps_unchanged_arguments_verbatim_and_quotes_new_ones(tmp_path):
    ws = ws_of(tmp_path, 'server {\n    return  302  "https://$host$request_uri";\n}\n')
    fix = set_args(ws, only(ws, "return"), ["301", "https://$host$request_uri"], "t")
    assert fix.edits[0].lines == ('    return  301  "https://$host$request_uri";',)
    fix = set_args(ws, only(ws, "return"), ["200", 'a "b"; c'], "t")
    assert fix.edits[0].lines == ('    return  200  "a \\"b\\"; c";',)


def test_set_args_can_add_and_drop_arguments(tmp_path):
    ws = ws_of(tmp_path, "server {\n    listen 80 default_server;  # main\n}\n")
    listen = only(ws, "listen")
    assert set_args(ws, listen, ["80"], "t").edits[0].lines == ("    listen 80;  # main",)
    assert set_args(ws, listen, ["80", "default_server", "reuseport"], "t").edits[0].lines == \
        ("    listen 80 default_server reuseport;  # main",)


def test_set_args_never_touches_a_commented_out_directive(tmp_path):
    text = "server {\n    #fastcgi_pass unix:/old.sock;\n    fastcgi_pass unix:/old.sock;\n}\n"
    ws = ws_of(tmp_path, text)
    fix = set_args(ws, only(ws, "fastcgi_pass"), ["unix:/new.sock"], "t")
    assert applied(ws, fix) == text.replace("    fastcgi_pass unix:/old.sock;", "    fastcgi_pass unix:/new.sock;")


def test_set_args_declines_crowded_multiline_and_foreign_lines(tmp_path):
    ws = ws_of(tmp_path, "server {\n    gzip on; sendfile on;\n    location / { fastcgi_pass a; }\n"
                         "    log_format main\n        '$a';\n    location /b {\n    } tcp_nopush on;\n}\n")
    for name in ("gzip", "sendfile", "fastcgi_pass", "log_format", "tcp_nopush"):
        assert set_args(ws, only(ws, name), ["x"], "t") is None, name
    assert set_args(ws, ws.directives("location")[0], ["/"], "t") is None  # a block


def test_set_args_in_shared_include_is_unsafe_even_through_a_nested_include(tmp_path):
    ws = ws_of(tmp_path, "http {\n    server { include php.conf; }\n    server { include php.conf; }\n}\n",
               **{"etc/nginx/php.conf": "include params.conf;\nfastcgi_pass unix:/old.sock;\n",
                  "etc/nginx/params.conf": "fastcgi_read_timeout 60s;\n"})
    fastcgi_pass = ws.directives("fastcgi_pass")[0]
    assert set_args(ws, fastcgi_pass, ["unix:/new.sock"], "t").safe is False
    timeout = ws.directives("fastcgi_read_timeout")[0]
    assert ws.include_count("etc/nginx/params.conf") == 1
    assert set_args(ws, timeout, ["90s"], "t").safe is False


def test_set_args_in_include_used_once_stays_safe(tmp_path):
    ws = ws_of(tmp_path, "http {\n    server { include php.conf; }\n}\n",
               **{"etc/nginx/php.conf": "fastcgi_pass unix:/old.sock;\n"})
    assert set_args(ws, only(ws, "fastcgi_pass"), ["unix:/new.sock"], "t").safe is True


def test_crlf_file_stays_crlf(tmp_path):
    text = "events {}\r\nhttp {\r\n    server {\r\n        fastcgi_pass unix:/old.sock;\r\n    }\r\n}\r\n"
    root = write_tree({}, tmp_path)
    (root / "etc/nginx").mkdir(parents=True)
    (root / CONF).write_bytes(text.encode())
    ws = load_workspace(root)
    fix = set_args(ws, only(ws, "fastcgi_pass"), ["unix:/new.sock"], "t")
    assert fix.edits[0].lines == ("        fastcgi_pass unix:/new.sock;",)
    assert applied(ws, fix) == text.replace("/old.sock", "/new.sock")


def test_no_final_newline_stays_missing(tmp_path):
    text = "events {}\nuser www-data;"
    ws = ws_of(tmp_path, text)
    assert applied(ws, set_args(ws, only(ws, "user"), ["nginx"], "t")) == "events {}\nuser nginx;"


def test_bom_file_is_edited_at_the_right_line(tmp_path):
    root = write_tree({}, tmp_path)
    (root / "etc/nginx").mkdir(parents=True)
    (root / CONF).write_bytes(b"\xef\xbb\xbfuser www-data;\nevents {}\n")
    ws = load_workspace(root)
    fix = set_args(ws, only(ws, "user"), ["nginx"], "t")
    assert fix.edits[0].lines == ("user nginx;",) and CONF in ws.root.boms


def test_quote():
    assert [quote(v) for v in ("unix:/a.sock", "a b", "", "x;y", 'say "hi"', "\\.php$")] == \
        ["unix:/a.sock", '"a b"', '""', '"x;y"', '"say \\"hi\\""', "\\.php$"]


# insert_directive --------------------------------------------------------------------------

def test_insert_uses_the_first_childs_indentation(tmp_path):
    ws = ws_of(tmp_path, "http {\n  server {   # main site\n      listen 80;\n  }\n}\n")
    fix = insert_directive(ws, only(ws, "server"), "client_max_body_size", ["64m"], "t")
    assert applied(ws, fix) == "http {\n  server {   # main site\n      client_max_body_size 64m;\n" \
                               "      listen 80;\n  }\n}\n"


def test_insert_into_an_empty_block_indents_one_level_with_tabs_when_the_file_uses_tabs(tmp_path):
    ws = ws_of(tmp_path, "http {\n\tserver {\n\t}\n}\n")
    fix = insert_directive(ws, only(ws, "server"), "fastcgi_read_timeout", ["90s"], "t")
    assert fix.edits[0].lines == ("\t\tfastcgi_read_timeout 90s;",)
    ws = ws_of(tmp_path / "b", "http {\n    server {\n    }\n}\n")
    assert insert_directive(ws, only(ws, "server"), "gzip", ["on"], "t").edits[0].lines == ("        gzip on;",)


def test_insert_declines_blocks_opened_on_a_crowded_line(tmp_path):
    ws = ws_of(tmp_path, "http { server { listen 80; }\n    server { }\n}\n")
    for block in ws.directives("server") + ws.directives("http"):
        assert insert_directive(ws, block, "gzip", ["on"], "t") is None


def test_insert_in_shared_include_is_unsafe(tmp_path):
    ws = ws_of(tmp_path, "http {\n    server { include loc.conf; }\n    server { include loc.conf; }\n}\n",
               **{"etc/nginx/loc.conf": "location / {\n    root /srv;\n}\n"})
    assert insert_directive(ws, ws.directives("location")[0], "gzip", ["on"], "t").safe is False


# set_ini -----------------------------------------------------------------------------------

FPM = "etc/php/8.2/fpm/php-fpm.conf"


def pool_ws(tmp_path, text):
    return load_workspace(write_tree({FPM: text}, tmp_path))


def test_set_ini_rewrites_the_effective_line_keeping_spacing_and_comment(tmp_path):
    text = "[www]\nlisten=/a.sock\n  pm.max_children   =  5   ; was 10\nlisten=/b.sock\n"
    ws = pool_ws(tmp_path, text)
    (pool,) = ws.pools
    fix = set_ini(ws, pool, "pm.max_children", "20", "t")
    assert fix.edits[0].lines == ("  pm.max_children   =  20   ; was 10",)
    fix = set_ini(ws, pool, "listen", "/c.sock", "t")
    assert (fix.edits[0].start, fix.edits[0].lines) == (4, ("listen=/c.sock",))


def test_set_ini_inserts_after_the_pools_last_line_in_the_files_style(tmp_path):
    text = "[www]\n    user=www-data\n    pm=static\n\n; next pool\n[other]\nuser = x\n"
    ws = pool_ws(tmp_path, text)
    www = ws.pools[0]
    fix = set_ini(ws, www, "request_terminate_timeout", "60s", "t")
    assert applied(ws, fix, FPM) == text.replace("pm=static\n", "pm=static\n    request_terminate_timeout=60s\n")


def test_set_ini_into_an_empty_pool_goes_after_its_header(tmp_path):
    ws = pool_ws(tmp_path, "[global]\npid = x\n[www]\n")
    (pool,) = ws.pools
    assert applied(ws, set_ini(ws, pool, "listen", "9000", "t"), FPM) == "[global]\npid = x\n[www]\nlisten = 9000\n"


def test_set_ini_crlf(tmp_path):
    root = write_tree({}, tmp_path)
    (root / FPM).parent.mkdir(parents=True)
    (root / FPM).write_bytes(b"[www]\r\nlisten = /a.sock\r\n")
    ws = load_workspace(root)
    fix = set_ini(ws, ws.pools[0], "pm", "static", "t")
    assert applied(ws, fix, FPM) == "[www]\r\nlisten = /a.sock\r\npm = static\r\n"


# property: whatever the arguments, an edit either declines or yields exactly those arguments ----

ARG = st.text(alphabet=st.sampled_from(list("ab/:.$ ;{}#'\"\\") + ["\u00e9"]), min_size=0, max_size=8)


@settings(max_examples=200, deadline=None)
@given(old=st.lists(ARG, min_size=1, max_size=3), new=st.lists(ARG, min_size=1, max_size=3),
       comment=st.sampled_from(["", "  # keep"]))
def test_set_args_round_trips_through_the_parser(tmp_path_factory, old, new, comment):
    text = f"events {{}}\nhttp {{\n    add_header {' '.join(quote(a) for a in old)};{comment}\n    gzip on;\n}}\n"
    try:
        if next(d.args for d in parse_text(text, CONF).directives[1].block) != old:
            return  # quote() cannot write these old arguments either: no such line to edit
    except InputError:
        return
    ws = ws_of(tmp_path_factory.mktemp("t"), text)
    fix = set_args(ws, only(ws, "add_header"), new, "t")
    if fix is None:  # declined only when nothing would change, for backslash puzzles it cannot write,
        # or when the new arguments read as template syntax ({{ ... }}), which the parser refuses
        assert new == old or any("\\" in a for a in old + new) or find_template(" ".join(new), CONF, "nginx") is not None
        return
    out = applied(ws, fix)
    (header,) = [d for d in parse_text(out, CONF).directives[1].block if d.name == "add_header"]
    assert header.args == new and out.splitlines()[2].endswith(";" + comment)
    assert out.splitlines()[:2] + out.splitlines()[3:] == text.splitlines()[:2] + text.splitlines()[3:]


def test_set_ini_quotes_a_value_with_a_semicolon_and_keeps_the_comment(tmp_path):
    ws = pool_ws(tmp_path, "[www]\nslowlog = /var/log/slow.log ; per pool\n")
    fix = set_ini(ws, ws.pools[0], "slowlog", "/var/log/a;b.log", "t")
    assert fix.edits[0].lines == ('slowlog = "/var/log/a;b.log" ; per pool',)
    fix = set_ini(ws, ws.pools[0], "pm", "x;y", "t")
    assert fix.edits[0].lines == ('pm = "x;y"',)


def test_set_ini_replaces_a_quoted_value_holding_a_semicolon_whole(tmp_path):
    ws = pool_ws(tmp_path, '[www]\nslowlog = "/var/log/a;b.log" ; per pool\n')
    fix = set_ini(ws, ws.pools[0], "slowlog", "/var/log/slow.log", "t")
    assert fix.edits[0].lines == ("slowlog = /var/log/slow.log ; per pool",)
