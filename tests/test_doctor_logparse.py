"""The doctor's log parser on nginx 1.18-1.27 and php-fpm 7.4-8.4 lines (formats from their sources:
ngx_log.c, ngx_http_request.c, ngx_event_connect.c, ngx_http_upstream.c, ngx_http_fastcgi_module.c;
sapi/fpm/fpm/zlog.c, fpm_process_ctl.c, fpm_request.c, fpm_children.c), rotations, cut lines, garbage."""

import gzip
from datetime import datetime

import pytest

from gwlint.doctor.logparse import LogFile, parse_line, parse_lines, read_log, rotated, status_of

CTX = ', client: 10.0.0.7, server: example.com, request: "GET /index.php?id=3 HTTP/1.1", ' \
      'upstream: "fastcgi://unix:/run/php/php8.2-fpm.sock:", host: "example.com"'

# (nginx versions the form is printed by, line, kind, errno, action)
NGINX = [
    ("1.18-1.27 unix ENOENT [crit]",
     "2026/11/27 14:02:11 [crit] 1201#1201: *45 connect() to unix:/run/php/php8.2-fpm.sock failed "
     "(2: No such file or directory) while connecting to upstream" + CTX, "connect", 2, "connecting to upstream"),
    ("1.18-1.27 unix EACCES [crit]",
     "2026/11/27 14:02:11 [crit] 1201#1201: *45 connect() to unix:/run/php/php8.2-fpm.sock failed "
     "(13: Permission denied) while connecting to upstream" + CTX, "connect", 13, "connecting to upstream"),
    ("1.18-1.27 unix ECONNREFUSED [error]",
     "2026/11/27 14:02:11 [error] 1201#1201: *45 connect() to unix:/run/php/php8.2-fpm.sock failed "
     "(111: Connection refused) while connecting to upstream" + CTX, "connect", 111, "connecting to upstream"),
    ("1.18-1.27 unix EAGAIN (backlog full)",
     "2026/11/27 14:02:11 [error] 1201#1201: *45 connect() to unix:/run/php/php8.2-fpm.sock failed "
     "(11: Resource temporarily unavailable) while connecting to upstream" + CTX, "connect", 11,
     "connecting to upstream"),
    ("1.18-1.27 tcp refused (ngx_http_upstream_test_connect)",
     '2026/11/27 14:02:11 [error] 88#88: *3 connect() failed (111: Connection refused) while connecting to upstream, '
     'client: 127.0.0.1, server: _, request: "GET / HTTP/1.1", upstream: "fastcgi://127.0.0.1:9000", host: "localhost"',
     "connect", 111, "connecting to upstream"),
    ("1.18-1.27 read timeout",
     "2026/11/27 14:02:11 [error] 88#88: *3 upstream timed out (110: Connection timed out) while reading response "
     "header from upstream" + CTX, "timeout", 110, "reading response header from upstream"),
    ("musl build wording",
     "2026/11/27 14:02:11 [error] 88#88: *3 upstream timed out (110: Operation timed out) while reading response "
     "header from upstream" + CTX, "timeout", 110, "reading response header from upstream"),
    ("1.18-1.27 connect timeout",
     "2026/11/27 14:02:11 [error] 88#88: *3 upstream timed out (110: Connection timed out) while connecting to "
     "upstream" + CTX, "connect-timeout", 110, "connecting to upstream"),
    ("1.18-1.27 reset",
     "2026/11/27 14:02:11 [error] 88#88: *3 recv() failed (104: Connection reset by peer) while reading response "
     "header from upstream" + CTX, "reset", 104, "reading response header from upstream"),
    ("1.18-1.27 readv reset",
     "2026/11/27 14:02:11 [error] 88#88: *3 readv() failed (104: Connection reset by peer) while reading upstream"
     + CTX, "reset", 104, "reading upstream"),
    ("1.18-1.27 fastcgi closed",
     "2026/11/27 14:02:11 [error] 88#88: *3 upstream prematurely closed FastCGI stdout while reading response "
     "header from upstream" + CTX, "closed", None, "reading response header from upstream"),
    ("1.18-1.27 too big header",
     "2026/11/27 14:02:11 [error] 88#88: *3 upstream sent too big header while reading response header from "
     "upstream" + CTX, "too-big-header", None, "reading response header from upstream"),
    ("1.18-1.27 no live upstreams",
     '2026/11/27 14:02:11 [error] 88#88: *3 no live upstreams while connecting to upstream, client: 127.0.0.1, '
     'server: _, request: "GET /x.php HTTP/1.1", upstream: "fastcgi://php_backend", host: "localhost"',
     "no-live", None, "connecting to upstream"),
    ("1.18-1.27 no port in upstream (a variable pass)",
     '2026/11/27 14:02:11 [error] 88#88: *3 no port in upstream "php_fpm", client: 127.0.0.1, server: _, '
     'request: "GET /index.php HTTP/1.1", host: "localhost"', "no-port", None, None),
    ("1.18-1.27 no resolver",
     '2026/11/27 14:02:11 [error] 88#88: *3 no resolver defined to resolve php-fpm.internal, client: 127.0.0.1, '
     'server: _, request: "GET /x.php HTTP/1.1", host: "localhost"', "no-resolver", None, None),
    ("1.18-1.27 primary script unknown",
     '2026/11/27 14:02:11 [error] 88#88: *3 FastCGI sent in stderr: "Primary script unknown" while reading '
     'response header from upstream' + CTX, "script-unknown", None, "reading response header from upstream"),
    ("1.18-1.27 php-fpm security.limit_extensions (fpm_main.c)",
     '2026/11/27 14:02:11 [error] 88#88: *3 FastCGI sent in stderr: "Access to the script '
     "'/var/www/html/index.phtml' has been denied (see security.limit_extensions)\" while reading response header "
     'from upstream' + CTX, "access-denied", None, "reading response header from upstream"),
    ("1.18-1.27 PHP fatal through stderr",
     '2026/11/27 14:02:11 [error] 88#88: *3 FastCGI sent in stderr: "PHP message: PHP Fatal error:  Maximum '
     'execution time of 2 seconds exceeded in /var/www/html/cpu.php on line 3" while reading response header from '
     'upstream' + CTX, "max-execution-time", None, "reading response header from upstream"),
    ("1.18-1.27 body too large (413)",
     '2026/11/27 14:02:11 [error] 88#88: *3 client intended to send too large body: 9437184 bytes, client: '
     '127.0.0.1, server: _, request: "POST /upload.php HTTP/1.1", host: "localhost"', "body-too-large", None, None),
    ("1.25+ HTTP/3 request line",
     '2026/11/27 14:02:11 [error] 88#88: *3 connect() failed (111: Connection refused) while connecting to upstream, '
     'client: 2001:db8::1, server: example.com, request: "GET /api/ HTTP/3.0", upstream: "http://127.0.0.1:8000/api/", '
     'host: "example.com", referrer: "https://example.com/"', "connect", 111, "connecting to upstream"),
]


@pytest.mark.parametrize(("label", "text", "kind", "errno", "action"), NGINX, ids=[n[0] for n in NGINX])
def test_nginx_upstream_lines(label, text, kind, errno, action):
    e = parse_line(text, "error.log", 7)
    assert (e.source, e.kind, e.errno, e.action) == ("nginx", kind, errno, action)
    assert e.time == datetime(2026, 11, 27, 14, 2, 11) and e.line == 7
    assert e.client and e.server is not None and e.request


def test_nginx_fields():
    e = parse_line("2026/11/27 14:02:11 [crit] 1201#1201: *45 connect() to unix:/run/php/php8.2-fpm.sock failed "
                   "(2: No such file or directory) while connecting to upstream" + CTX)
    assert (e.level, e.client, e.server, e.host) == ("crit", "10.0.0.7", "example.com", "example.com")
    assert (e.request, e.uri, e.method) == ("GET /index.php?id=3 HTTP/1.1", "/index.php", "GET")
    assert e.upstream == "fastcgi://unix:/run/php/php8.2-fpm.sock:" and e.target == "unix:/run/php/php8.2-fpm.sock"
    assert status_of(e.kind) == 502


def test_nginx_empty_server_name_and_no_request():
    e = parse_line('2026/11/27 14:02:11 [error] 88#88: *3 upstream timed out (110: Connection timed out) while '
                   'reading response header from upstream, client: 127.0.0.1, server: , request: "GET /s.php '
                   'HTTP/1.1", upstream: "fastcgi://127.0.0.1:9000", host: "127.0.0.1:8080"')
    assert e.server == "" and e.uri == "/s.php" and status_of(e.kind) == 504
    # a request line holding a quote and a comma does not shift the fields after it
    e = parse_line('2026/11/27 14:02:11 [error] 88#88: *3 upstream timed out (110: Connection timed out) while '
                   'reading response header from upstream, client: 127.0.0.1, server: a, request: "GET /q?x=",b" '
                   'HTTP/1.1", upstream: "fastcgi://127.0.0.1:9000", host: "a"')
    assert e.request == 'GET /q?x=",b" HTTP/1.1' and e.host == "a"


def test_nginx_lines_that_are_not_about_an_upstream():
    for text in ("2026/11/27 14:02:11 [notice] 1#1: signal process started",
                 '2026/11/27 14:02:11 [error] 9#9: *1 open() "/var/www/html/favicon.ico" failed (2: No such file or '
                 'directory), client: 1.2.3.4, server: _, request: "GET /favicon.ico HTTP/1.1", host: "x"'):
        e = parse_line(text)
        assert e.source == "nginx" and e.kind is None


def test_multiline_fastcgi_stderr_is_one_entry():
    lines = ['2026/11/27 14:02:11 [error] 88#88: *3 FastCGI sent in stderr: "PHP message: PHP Warning:  a',
             "PHP message: PHP Fatal error:  Allowed memory size of 134217728 bytes exhausted",
             'Stack trace: #0 {main}" while reading response header from upstream' + CTX,
             "2026/11/27 14:02:12 [notice] 1#1: signal process started"]
    log = LogFile("error.log")
    entries = list(parse_lines(iter(lines), log))
    assert [e.line for e in entries] == [1, 4] and entries[0].kind == "memory-limit"
    assert entries[0].host == "example.com" and log.skipped == []


# (php-fpm versions, line, kind, pool, details)
FPM = [
    ("7.4-8.4 dynamic", "[27-Nov-2026 14:02:11] WARNING: [pool www] server reached pm.max_children setting (5), "
     "consider raising it", "max-children", "www", {"limit": "5"}),
    ("7.4-8.4 ondemand (fpm_pctl_on_socket_accept)", "[27-Nov-2026 14:02:11] WARNING: [pool app] server reached "
     "max_children setting (2), consider raising it", "max-children", "app", {"limit": "2"}),
    ("7.4-8.4 terminate", "[27-Nov-2026 14:02:11] WARNING: [pool www] child 123, script '/var/www/x.php' (request: "
     "\"GET /x.php?a=1\") execution timed out (31.012345 sec), terminating", "terminated", "www",
     {"pid": "123", "script": "/var/www/x.php", "seconds": "31.012345"}),
    ("7.4-8.4 slowlog notice", "[27-Nov-2026 14:02:11] WARNING: [pool www] child 123, script '/var/www/x.php' "
     "(request: \"POST /x.php\") executing too slow (5.001234 sec), logging", "slow", "www", {"pid": "123"}),
    ("7.4-8.4 signal", "[27-Nov-2026 14:02:11] WARNING: [pool www] child 123 exited on signal 9 (SIGKILL) after "
     "12.345678 seconds from start", "child-signal", "www", {"signal": "9", "signame": "SIGKILL"}),
    ("7.4-8.4 segfault with core", "[27-Nov-2026 14:02:11] WARNING: [pool www] child 77 exited on signal 11 "
     "(SIGSEGV - core dumped) after 1.000000 seconds from start", "child-signal", "www", {"signame": "SIGSEGV"}),
    ("7.4-8.4 exit code", "[27-Nov-2026 14:02:11] WARNING: [pool www] child 77 exited with code 255 after "
     "0.5 seconds from start", "child-exit", "www", {"code": "255"}),
    ("7.4-8.4 start", "[27-Nov-2026 14:02:11] NOTICE: fpm is running, pid 4242", "fpm-start", None, {}),
    ("7.4-8.4 stop", "[27-Nov-2026 14:02:11] NOTICE: exiting, bye-bye!", "fpm-stop", None, {}),
    ("7.4-8.4 bind failure", "[27-Nov-2026 14:02:11] ERROR: unable to bind listening socket for address "
     "'/run/php/php8.2-fpm.sock': Address already in use (98)", "fpm-error", None, {}),
    ("7.4-8.4 catch_workers_output", "[27-Nov-2026 14:02:11] WARNING: [pool www] child 9 said into stderr: "
     "\"PHP Fatal error:  x\"", "worker-output", "www", {}),
    ("8.x log_level=debug (microseconds)", "[27-Nov-2026 14:02:11.123456] WARNING: pid 12, "
     "fpm_pctl_perform_idle_server_maintenance(), line 417: [pool www] server reached pm.max_children setting (5), "
     "consider raising it", "max-children", "www", {"limit": "5"}),
]


@pytest.mark.parametrize(("label", "text", "kind", "pool", "details"), FPM, ids=[f[0] for f in FPM])
def test_fpm_lines(label, text, kind, pool, details):
    e = parse_line(text, "php8.2-fpm.log", 3)
    assert (e.source, e.kind, e.pool) == ("fpm", kind, pool)
    assert e.time == datetime(2026, 11, 27, 14, 2, 11)
    assert details.items() <= e.details.items()


def test_fpm_without_timestamp_under_systemd():
    e = parse_line("WARNING: [pool www] server reached pm.max_children setting (5), consider raising it")
    assert (e.kind, e.pool, e.time) == ("max-children", "www", None)


def test_slowlog_header():
    e = parse_line("[27-Nov-2026 14:02:11]  [pool www] pid 4242")
    assert (e.source, e.kind, e.pool, e.details["pid"]) == ("slowlog", "slow-trace", "www", 4242)


@pytest.mark.parametrize("text", [
    "", "garbage", "\x00\x01binary", "2026/11/27 14:02", "ction refused) while connecting to upstream, client: x",
    "[27-Nov-2026 14:02:11] NOT A LEVEL: x", "2026/13/45 99:99:99 [error] 1#1: *1 connect() failed (111: x)",
])
def test_garbage_never_raises(text):
    e = parse_line(text)
    assert e is None or e.time is None


def test_rotations_oldest_first_gz_and_cut_lines(tmp_path):
    log = tmp_path / "error.log"
    first = ("2026/11/27 14:00:00 [error] 1#1: *1 connect() failed (111: Connection refused) while connecting to "
             'upstream, client: 1.1.1.1, server: _, request: "GET / HTTP/1.1", upstream: "fastcgi://127.0.0.1:9000", '
             'host: "x"\n')
    with gzip.open(tmp_path / "error.log.2.gz", "wt") as fh:
        fh.write(first * 3)
    # .1 ends in the middle of a line (rotated by copytruncate while nginx wrote)
    (tmp_path / "error.log.1").write_text(first + first[:70])
    log.write_text(first[70:] + first)  # ... and the new file starts with the rest of it
    (tmp_path / "error.log.bak").write_text("not a rotation")
    files = rotated(log)
    assert [p.name for p in files] == ["error.log.2.gz", "error.log.1", "error.log"]
    logs = [read_log(p, p.name) for p in files]
    assert [len(x.entries) for x in logs] == [3, 2, 1]
    assert logs[1].entries[-1].kind == "connect" and logs[1].entries[-1].client is None  # cut: no context
    assert logs[2].skipped == [(1, first[70:].rstrip("\n"))]
    assert [e.line for e in logs[2].entries] == [2]


def test_truncated_gz_keeps_what_it_read(tmp_path):
    line = b"2026/11/27 14:00:00 [error] 1#1: *1 no live upstreams while connecting to upstream, client: 1.1.1.1, " \
           b'server: _, request: "GET / HTTP/1.1", upstream: "fastcgi://php", host: "x"\n'
    data = gzip.compress(line * 2000)
    (tmp_path / "cut.log.1.gz").write_bytes(data[: len(data) // 2])
    (tmp_path / "bad.gz").write_bytes(b"not gzip at all")
    cut = read_log(tmp_path / "cut.log.1.gz", "cut.log.1.gz")
    assert cut.truncated and 0 < len(cut.entries) < 2000
    bad = read_log(tmp_path / "bad.gz", "bad.gz")
    assert bad.truncated and bad.entries == []
