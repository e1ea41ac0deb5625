"""Read nginx error.log and php-fpm log/slowlog lines into typed entries.

Formats from the sources, unchanged over nginx 1.18-1.27 and php-fpm 7.4-8.4:
- nginx (ngx_log.c, ngx_http_request.c ngx_http_log_error_handler):
  `2026/11/27 14:02:11 [crit] 123#123: *45 MESSAGE (ERRNO: TEXT) while ACTION, client: ADDR,
  server: NAME, request: "LINE", subrequest: "URI", upstream: "SCHEMA PEER [:] URI", host: "HOST",
  referrer: "REF"` (the fields after the action only when there is a connection/request). The
  `server` is the first server_name of the server block that took the request.
- php-fpm (zlog.c): `[27-Nov-2026 14:02:11] WARNING: [pool www] ...` (`.123456` after the
  seconds at log_level debug; no timestamp when logging to stderr under systemd), messages from
  fpm_process_ctl.c, fpm_request.c and fpm_children.c.
A line that matches neither (cut by rotation, garbage, another program's) is counted, never fatal.
"""

import gzip
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

MONTHS = {m: i for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
                                      "Nov", "Dec"), 1)}
MAX_ENTRY_LINES = 200  # a FastCGI stderr message spread over lines is joined up to this many

_NGINX = re.compile(r"(\d{4})/(\d\d)/(\d\d) (\d\d):(\d\d):(\d\d) \[(\w+)\] (\d+)#(\d+): (?:\*(\d+) )?(.*)", re.S)
_FPM = re.compile(r"(?:\[(\d\d)-(\w{3})-(\d{4}) (\d\d):(\d\d):(\d\d)(?:\.\d+)?\] )?"
                  r"(DEBUG|NOTICE|WARNING|ERROR|ALERT|SYSTEM): (?:pid \d+, \w+\(\), line \d+: )?(.*)", re.S)
_SLOW_HEAD = re.compile(r"\[(\d\d)-(\w{3})-(\d{4}) (\d\d):(\d\d):(\d\d)\]\s+\[pool (\S+)\] pid (\d+)$")
_ERRNO = re.compile(r" \((\d+): ([^()]*)\)$")
_QUOTED_KEYS = ("request", "subrequest", "upstream", "host", "referrer")
_FIELD = re.compile(r', (client|server): ([^,]*)|, (request|subrequest|upstream|host|referrer): "(.*?)"'
                    r'(?=, (?:client|server|request|subrequest|upstream|host|referrer): |$)', re.S)

_FPM_KINDS = [
    ("max-children", re.compile(r"\[pool (?P<pool>\S+)\] server reached (?:pm\.)?max_children setting "
                                r"\((?P<limit>\d+)\), consider raising it")),
    ("terminated", re.compile(r"\[pool (?P<pool>\S+)\] child (?P<pid>\d+), script '(?P<script>.*?)' "
                              r"(?:\(request: \"(?P<request>.*)\"\) )?execution timed out "
                              r"\((?P<seconds>[\d.]+) sec\), terminating")),
    ("slow", re.compile(r"\[pool (?P<pool>\S+)\] child (?P<pid>\d+), script '(?P<script>.*?)' "
                        r"(?:\(request: \"(?P<request>.*)\"\) )?executing too slow \((?P<seconds>[\d.]+) sec\)")),
    ("child-signal", re.compile(r"\[pool (?P<pool>\S+)\] child (?P<pid>\d+) exited on signal (?P<signal>\d+) "
                                r"\((?P<signame>[A-Z0-9]*)(?P<core> - core dumped)?\)")),
    ("child-exit", re.compile(r"\[pool (?P<pool>\S+)\] child (?P<pid>\d+) exited with code (?P<code>\d+)")),
    ("worker-output", re.compile(r"\[pool (?P<pool>\S+)\] child (?P<pid>\d+) said into std(?:err|out): "
                                 r"\"(?P<said>.*)")),
    ("fpm-start", re.compile(r"fpm is running, pid (?P<pid>\d+)|ready to handle connections")),
    ("fpm-stop", re.compile(r"exiting, bye-bye!")),
]


@dataclass(slots=True)
class Entry:
    """One log entry (a line; an nginx entry whose FastCGI stderr spans lines keeps its first line)."""

    file: str
    line: int
    text: str
    source: str  # "nginx" | "fpm" | "slowlog"
    time: datetime | None = None
    level: str | None = None
    kind: str | None = None  # what happened (see classify); None: not about an upstream or a pool
    message: str = ""
    action: str | None = None  # nginx: "connecting to upstream", "reading response header from upstream"...
    errno: int | None = None
    target: str | None = None  # connect() to TARGET failed
    client: str | None = None
    server: str | None = None
    request: str | None = None
    upstream: str | None = None
    host: str | None = None
    pool: str | None = None
    details: dict = field(default_factory=dict)  # kind-specific: limit, pid, script, seconds, signame...

    @property
    def uri(self) -> str | None:
        """The request's path (no query string), from the request line."""
        if not self.request:
            return None
        parts = self.request.split(" ")
        target = parts[1] if len(parts) >= 2 else parts[0]
        return target.split("?", 1)[0] or None

    @property
    def method(self) -> str | None:
        return self.request.split(" ", 1)[0] if self.request and " " in self.request else None


@dataclass
class LogFile:
    """One file read: its entries, and the lines that matched no known format."""

    path: str  # as shown in reports
    entries: list[Entry] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    lines: int = 0
    truncated: bool = False  # a compressed file that ends early


def rotated(path: Path) -> list[Path]:
    """`path` and its rotations (`.1`, `.2.gz`, ...), oldest first."""
    found = []
    parent = path.parent if str(path.parent) else Path(".")
    pattern = re.compile(re.escape(path.name) + r"\.(\d+)(\.gz)?$")
    try:
        names = os.listdir(parent)
    except OSError:
        names = []
    for name in names:
        m = pattern.match(name)
        if m:
            found.append((int(m.group(1)), parent / name))
    out = [p for _, p in sorted(found, reverse=True)]
    if path.exists():
        out.append(path)
    return out


def _lines(path: Path, log: LogFile) -> Iterator[str]:
    opener = gzip.open if path.name.endswith(".gz") else open
    try:
        with opener(path, "rb") as fh:
            for raw in fh:
                yield raw.decode("utf-8", errors="replace").rstrip("\r\n")
    except (EOFError, gzip.BadGzipFile, OSError, ValueError):  # cut .gz, not gzip, unreadable
        log.truncated = True


def read_log(path: Path, shown: str) -> LogFile:
    """Every entry of one file (gzip when it ends in .gz)."""
    log = LogFile(shown)
    log.entries = list(parse_lines(_lines(path, log), log))
    return log


def parse_lines(lines, log: LogFile) -> Iterator[Entry]:
    """Entries from text lines; continuation lines of a multi-line FastCGI stderr are joined."""
    pending: Entry | None = None
    joined = 0
    for number, text in enumerate(lines, 1):
        log.lines = number
        if pending is not None:
            if _NGINX.match(text) is None and joined < MAX_ENTRY_LINES:
                pending.text += "\n" + text
                joined += 1
                if ", client: " in text:
                    yield _finish_nginx(pending)
                    pending = None
                continue
            yield _finish_nginx(pending)
            pending = None
        entry = parse_line(text, log.path, number)
        if entry is None:
            if text.strip():
                log.skipped.append((number, text))
            continue
        if entry.source == "nginx" and 'FastCGI sent in stderr: "' in text and ", client: " not in text:
            pending, joined = entry, 0
            continue
        yield entry
    if pending is not None:
        yield _finish_nginx(pending)


def parse_line(text: str, file: str = "", line: int = 0) -> Entry | None:
    """One line as an Entry, or None when it is no nginx or php-fpm log line."""
    m = _NGINX.match(text)
    if m:
        y, mo, d, h, mi, s = (int(x) for x in m.group(1, 2, 3, 4, 5, 6))
        entry = Entry(file, line, text, "nginx", _time(y, mo, d, h, mi, s), m.group(7))
        entry.details["pid"] = int(m.group(8))
        return _finish_nginx(entry)
    m = _FPM.match(text)
    if m and (m.group(1) or text.startswith(m.group(7))):
        when = None
        if m.group(1):
            when = _time(int(m.group(3)), MONTHS.get(m.group(2), 0), int(m.group(1)),
                         *(int(x) for x in m.group(4, 5, 6)))
        entry = Entry(file, line, text, "fpm", when, m.group(7).lower(), message=m.group(8))
        _classify_fpm(entry)
        return entry
    m = _SLOW_HEAD.match(text)
    if m:
        when = _time(int(m.group(3)), MONTHS.get(m.group(2), 0), int(m.group(1)), *(int(x) for x in m.group(4, 5, 6)))
        return Entry(file, line, text, "slowlog", when, None, "slow-trace", message=text, pool=m.group(7),
                     details={"pid": int(m.group(8))})
    return None


def _time(year: int, month: int, day: int, hour: int, minute: int, second: int) -> datetime | None:
    try:
        return datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None


def _finish_nginx(entry: Entry) -> Entry:
    m = _NGINX.match(entry.text)
    body = m.group(11) if m else entry.text
    message, fields = _split_fields(body)
    for key, value in fields.items():
        setattr(entry, key, value)
    head, sep, action = message.rpartition(" while ")
    if sep and re.fullmatch(r"[A-Za-z ]+", action):  # nginx's actions are fixed phrases
        message, entry.action = head, action
    m = _ERRNO.search(message)
    if m:
        entry.errno = int(m.group(1))
    entry.message = message
    _classify_nginx(entry)
    return entry


def _split_fields(body: str) -> tuple[str, dict]:
    """(message, {client, server, request, upstream, host, ...}): the context nginx appends."""
    start = body.rfind(", client: ")
    while start != -1:
        fields, pos = {}, start
        for m in _FIELD.finditer(body, start):
            if m.start() != pos:
                break
            key = m.group(1) or m.group(3)
            fields[key] = m.group(2) if m.group(1) else m.group(4)
            pos = m.end()
        if fields and pos == len(body):
            fields.pop("subrequest", None)
            fields.pop("referrer", None)
            return body[:start], fields
        start = body.rfind(", client: ", 0, start)
    return body, {}


_CONNECT_TO = re.compile(r"connect\(\) to (\S+) failed")
_STDERR = re.compile(r'FastCGI sent in stderr: "(.*)', re.S)


def _classify_nginx(e: Entry) -> None:
    msg, action = e.message, e.action or ""
    if msg.startswith("connect() "):
        e.kind = "connect"
        m = _CONNECT_TO.match(msg)
        if m:
            e.target = m.group(1)
    elif msg.startswith("upstream timed out"):
        e.kind = "connect-timeout" if action.startswith("connecting") else "timeout"
    elif re.match(r"\w+\(\) failed \((104|32): ", msg):
        e.kind = "reset"
    elif msg.startswith("upstream prematurely closed"):
        e.kind = "closed"
    elif msg.startswith("upstream sent too big header"):
        e.kind = "too-big-header"
    elif msg.startswith("no port in upstream"):  # a variable naming no upstream {} and no port: 500
        e.kind = "no-port"
        e.target = msg.split('"')[1] if msg.count('"') >= 2 else None
    elif msg.startswith("no live upstreams"):
        e.kind = "no-live"
    elif msg.startswith("no resolver defined to resolve"):
        e.kind = "no-resolver"
        e.target = msg.rsplit(" ", 1)[-1]
    elif " could not be resolved " in msg:
        e.kind = "not-resolved"
        e.target = msg.split(" could not be resolved", 1)[0]
    elif msg.startswith("FastCGI sent in stderr: "):
        m = _STDERR.match(msg)
        said = (m.group(1) if m else "").removesuffix('"')
        e.details["said"] = said
        if "Primary script unknown" in said:
            e.kind = "script-unknown"
        elif "has been denied (see security.limit_extensions)" in said:
            e.kind = "access-denied"
        elif "Maximum execution time of" in said:
            e.kind = "max-execution-time"
            m = re.search(r"Maximum execution time of (\d+) seconds? exceeded", said)
            if m:
                e.details["seconds"] = int(m.group(1))
        elif "Allowed memory size of" in said:
            e.kind = "memory-limit"
        else:
            e.kind = "php-stderr"
    elif "SSL_do_handshake() failed" in msg and "upstream" in action:
        e.kind = "ssl-handshake"
    elif msg.startswith(("upstream sent invalid", "upstream sent unsupported", "upstream sent unexpected")):
        e.kind = "invalid-response"
    elif msg.startswith("client intended to send too large body"):
        e.kind = "body-too-large"
    elif e.upstream is not None or action.endswith("upstream"):
        e.kind = "upstream-other"


def _classify_fpm(e: Entry) -> None:
    for kind, pattern in _FPM_KINDS:
        m = pattern.search(e.message)
        if m:
            e.kind = kind
            values = {k: v for k, v in m.groupdict().items() if v is not None}
            e.pool = values.pop("pool", None)
            e.request = values.pop("request", None)
            e.details.update(values)
            return
    if e.level in ("error", "alert"):
        e.kind = "fpm-error"
        m = re.match(r"\[pool (\S+)\]", e.message)
        e.pool = m.group(1) if m else None


def status_of(kind: str | None) -> int | None:
    """The status the client got for an nginx entry of this kind (as measured in DOMAIN facts)."""
    return {"timeout": 504, "connect-timeout": 504, "script-unknown": 404, "access-denied": 403,
            "max-execution-time": 500, "no-port": 500,
            "memory-limit": 500, "body-too-large": 413, "php-stderr": None,
            "upstream-other": None}.get(kind or "", 502)
