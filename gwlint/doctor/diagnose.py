"""Group log entries by route and error, and name the cause of each group.

The cause is, in this order: a static finding at that route (the rule engine's, with its file:line
and the other side), or the runtime cause the evidence shows (php-fpm's own log, live state), or
nothing: the lines are then listed as unexplained, never guessed at.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from gwlint.doctor.logparse import Entry, LogFile, status_of
from gwlint.doctor.route import Match, Router, describe, upstream_peer
from gwlint.engine.finding import Finding, Related, Severity
from gwlint.model.effective import nginx_value, php_value
from gwlint.model.endpoint import parse_pass_target

# the rules whose finding explains an nginx error of this kind (and errno, for connect())
RULES_FOR: dict[tuple[str, int | None], frozenset[str]] = {
    ("connect", 2): frozenset({"GW301", "GW321", "GW322", "GW204", "GW223", "GW305"}),
    ("connect", 111): frozenset({"GW301", "GW303", "GW360", "GW361", "GW103", "GW204", "GW223", "GW305"}),
    ("connect", 13): frozenset({"GW201", "GW202", "GW320"}),
    ("connect-timeout", None): frozenset({"GW303", "GW120"}),
    ("timeout", None): frozenset({"GW340", "GW343", "GW221", "GW121"}),
    ("reset", None): frozenset({"GW220", "GW302", "GW304", "GW224"}),
    ("closed", None): frozenset({"GW220", "GW302", "GW304", "GW224"}),
    ("no-live", None): frozenset({"GW105"}),
    ("no-resolver", None): frozenset({"GW102"}),
    ("not-resolved", None): frozenset({"GW101", "GW102"}),
    ("no-port", None): frozenset({"GW101"}),
    ("ssl-handshake", None): frozenset({"GW104"}),
    ("body-too-large", None): frozenset({"GW341", "GW344"}),
    ("script-unknown", None): frozenset({"GW380", "GW381"}),
    ("access-denied", None): frozenset({"GW382"}),
}
ERROR_TEXT = {
    "connect": "connect() failed", "connect-timeout": "upstream connect timed out",
    "timeout": "upstream timed out", "reset": "connection reset by upstream",
    "closed": "upstream closed the connection", "too-big-header": "upstream sent too big header",
    "no-port": "no port in upstream",
    "no-live": "no live upstreams", "no-resolver": "no resolver defined", "not-resolved": "host not resolved",
    "script-unknown": "Primary script unknown",
    "access-denied": "php-fpm refused the script's extension",
    "max-execution-time": "PHP maximum execution time exceeded",
    "memory-limit": "PHP memory limit exhausted", "php-stderr": "PHP wrote to stderr",
    "ssl-handshake": "TLS handshake to upstream failed", "invalid-response": "invalid upstream response",
    "body-too-large": "request body too large", "upstream-other": "upstream error",
}
WINDOW = timedelta(minutes=2)  # php-fpm evidence counts from this long before a group's first line
# nginx directives the rules read through inheritance: a finding there is at every route it covers
INHERITED = ("fastcgi_read_timeout", "proxy_read_timeout", "fastcgi_connect_timeout", "proxy_connect_timeout",
             "client_max_body_size", "resolver", "proxy_ssl_server_name", "proxy_http_version")


@dataclass
class Diagnosis:
    """One cause, the log lines it explains, where to look and what to do."""

    cause: str
    code: str | None
    severity: str
    path: str | None
    line: int | None
    related: list[Related] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    next_step: str = ""
    status: int | None = None
    where: str = ""
    error: str = ""
    evidence: list[Entry] = field(default_factory=list)  # php-fpm lines that show the runtime cause
    live: list = field(default_factory=list)  # the live-state problems it stands for
    confirms: tuple[str, ...] = ()  # rule codes whose predicted consequence this runtime cause is

    @property
    def count(self) -> int:
        return len(self.entries)

    @property
    def first(self) -> datetime | None:
        times = [e.time for e in self.entries if e.time]
        return min(times) if times else None

    @property
    def last(self) -> datetime | None:
        times = [e.time for e in self.entries if e.time]
        return max(times) if times else None


@dataclass
class Report:
    diagnoses: list[Diagnosis]
    unexplained: list[Entry]
    logs: list[LogFile]
    live: Any = None  # a gwlint.doctor.live.LiveState, when live state was read
    notes: list[str] = field(default_factory=list)


@dataclass
class _Group:
    match: Match | None
    kind: str
    errno: int | None
    peer: str | None
    entries: list[Entry] = field(default_factory=list)


def diagnose(ws, findings: list[Finding], logs: list[LogFile], live=None,
             since: datetime | None = None) -> Report:
    """The report for a workspace, its findings, the logs read and (optionally) live state."""
    router = Router(ws)
    nginx_entries: list[Entry] = []
    fpm_entries: list[Entry] = []
    for log in logs:
        for e in log.entries:
            if e.kind is None or (since is not None and (e.time is None or e.time < since)):
                continue
            (nginx_entries if e.source == "nginx" else fpm_entries).append(e)
    groups: dict[tuple, _Group] = {}
    for e in nginx_entries:
        peer = upstream_peer(e.upstream) or (e.target if e.kind == "connect" else None)
        if e.kind == "no-live" and e.upstream:
            peer = upstream_peer(e.upstream)
        match = router.match(e.server, e.host, e.uri, peer) if (e.server is not None or e.host or e.uri) else None
        ident = id(match.route) if match and match.route else (id(match.location) if match and match.location else
                                                             (id(match.server) if match else None))
        key = (ident, e.kind, e.errno if e.kind == "connect" else None, peer)
        group = groups.setdefault(key, _Group(match, e.kind or "", e.errno, peer))
        group.entries.append(e)
    diagnoses, unexplained = [], []
    live_problems = live.problems if live is not None else []
    for group in groups.values():
        d = _static(group, findings, ws)
        if d is None or d.severity != "error":  # evidence of what happened beats a warning's "may"
            runtime = _runtime(group, ws, fpm_entries, live_problems)
            if d is not None and runtime is not None and d.code in runtime.confirms:
                d.evidence = runtime.evidence  # the log shows the finding's consequence happening
            elif d is None or (runtime is not None and (runtime.live or runtime.evidence)):
                if d is not None and runtime is not None and d.path is not None and d.line is not None:
                    runtime.related.append(Related(d.path, d.line, f"also {d.code} ({d.severity})"))
                d = runtime
        if d is None:
            unexplained.extend(group.entries)
            continue
        d.entries = group.entries
        d.status = status_of(group.kind)
        d.where = describe(group.match) if group.match else ""
        d.error = _error_text(group)
        diagnoses.append(d)
    diagnoses += _fpm_only(ws, fpm_entries, diagnoses)
    used = {id(p) for d in diagnoses for p in d.live}
    for problem in live_problems:  # live state that no log line led to still needs attention
        if id(problem) not in used:
            diagnoses.append(Diagnosis(problem.cause, None, "error", problem.path, problem.line, [],
                                       next_step=problem.next_step, error="live state", live=[problem]))
    diagnoses.sort(key=lambda d: (-d.count, d.status is None, d.path or "", d.line or 0))
    return Report(diagnoses, sorted(unexplained, key=lambda e: (e.file, e.line)), logs, live)


def _error_text(group: _Group) -> str:
    text = ERROR_TEXT.get(group.kind, group.kind)
    if group.kind == "connect" and group.errno is not None:
        sample = group.entries[0].message
        text = f"connect() failed ({sample.rsplit('(', 1)[-1].rstrip(')')})" if "(" in sample else text
    return text


# static causes ---------------------------------------------------------------------------------
def _rules_for(group: _Group) -> frozenset[str]:
    return RULES_FOR.get((group.kind, group.errno if group.kind == "connect" else None), frozenset())


def _route_keys(match: Match) -> tuple[set, set]:
    """(places specific to this route, places it shares: inherited settings and its pools')."""
    specific: set = set()
    shared: set = set()
    route, location = match.route, match.location
    if route is not None:
        specific.add((route.directive.path, route.directive.line))
        if route.upstream is not None:
            specific.add((route.upstream.path, route.upstream.line))
            specific |= {(s.path, s.line) for s in route.upstream.children("server")}
        # where each backend is named: an upstream's `server`, or the `set`/`map` line of a variable target
        specific |= {(b.directive.path, b.directive.line) for b in route.backends}
    block = location if location is not None else match.server
    if block is not None and block.name == "location":
        specific.add((block.path, block.line))
        specific |= {(d.path, d.line) for d in block.walk()}
    if block is not None:
        for name in INHERITED:
            d = block.inherited(name)
            if d is not None:
                shared.add((d.path, d.line))
    for pool in match.pools:
        shared.add((pool.path, pool.line))
        for history in pool.history.values():
            shared |= {(s.path, s.line) for s in history}
        shared |= {(s.path, s.line) for s in pool.install.php_ini.values()}
    return specific, shared


def _static(group: _Group, findings: list[Finding], ws) -> Diagnosis | None:
    codes = _rules_for(group)
    if not codes or group.match is None or (group.match.route is None and group.kind not in ("body-too-large",)):
        return None
    specific, shared = _route_keys(group.match)
    passes = {(r.directive.path, r.directive.line) for r in ws.routes}
    hits = []
    for f in findings:
        if f.code not in codes:
            continue
        keys = {(f.path, f.line)} | {(r.path, r.line) for r in f.related}
        if keys & passes and not keys & specific:
            continue  # a finding about another route's pass
        if keys & specific:
            hits.append((0, f))
        elif keys & shared:
            hits.append((1, f))
    if not hits:
        return None
    hits.sort(key=lambda h: (h[0], -h[1].severity.rank, h[1].path, h[1].line))
    best = hits[0][1]
    related = list(best.related)
    route = group.match.route
    if route is not None and (route.directive.path, route.directive.line) not in {(r.path, r.line) for r in related} \
            and (route.directive.path, route.directive.line) != (best.path, best.line):
        related.append(Related(route.directive.path, route.directive.line, f"the {route.kind} these requests used"))
    related += [Related(f.path, f.line, f"also {f.code}") for _, f in hits[1:]
                if (f.path, f.line, f.code) != (best.path, best.line, best.code)]
    step = f"fix {best.code} at {best.path}:{best.line}" + (" (gwlint check --fix)" if best.fix else "") + \
        f"; see `gwlint rule {best.code}`"
    return Diagnosis(f"{best.code} {best.name}: {best.message}", best.code, best.severity.value, best.path, best.line,
                     related, next_step=step)


# runtime causes --------------------------------------------------------------------------------
def _near(entries: list[Entry], kinds: tuple[str, ...], pools: set[str], first, last,
          before: timedelta = WINDOW) -> list[Entry]:
    out = []
    for e in entries:
        if e.kind not in kinds or (pools and e.pool not in pools):
            continue
        if first is not None and e.time is not None and not (first - before <= e.time <= last + timedelta(seconds=5)):
            continue
        out.append(e)
    return out


def _runtime(group: _Group, ws, fpm: list[Entry], live_problems: list) -> Diagnosis | None:
    match = group.match
    if match is None:
        return None
    route = match.route
    pools = match.pools
    names = {p.name for p in pools}
    times = [e.time for e in group.entries if e.time]
    first, last = (min(times), max(times)) if times else (None, None)
    kind, errno = group.kind, group.errno
    block = match.location if match.location is not None else match.server
    pool = pools[0] if pools else None

    if kind == "connect" and pool is not None and route is not None and errno in (2, 111, 11, 13):
        listen = pool.get("listen")
        mine = [p for p in live_problems if p.pool is pool]
        if mine:
            return Diagnosis(mine[0].cause, None, "error", mine[0].path, mine[0].line,
                             [Related(route.directive.path, route.directive.line,
                                      f"nginx connects to {pool.listen} here")],
                             next_step=mine[0].next_step, live=mine)
        if errno == 11:
            full = _near(fpm, ("max-children",), names, first, last)
            if full:
                return _max_children(pool, full, block, "the socket's listen backlog overflowed")
            return None
        if errno == 13:
            return None  # no finding, no evidence on disk: do not guess
        target = parse_pass_target(group.peer) if group.peer and not group.peer.startswith("unix:") else None
        if target is not None and pool.listen.kind == "tcp" and not pool.listen.is_wildcard \
                and target.host != pool.listen.host:
            return Diagnosis(f"pool '{pool.name}' listens on {pool.listen} only, but nginx connected to "
                             f"{group.peer}: nothing listens on that address", None, "error", listen.path,
                             listen.line, [Related(route.directive.path, route.directive.line, "nginx connects here")],
                             next_step=f"make the pool listen where nginx connects (listen = {target.port} for every "
                                       "address), or point nginx at the pool's address")
        stops = _lifecycle(fpm, first)
        if stops is not None and stops.kind in ("fpm-stop", "fpm-error"):
            what = "stopped" if stops.kind == "fpm-stop" else f"failed: {stops.message}"
            return Diagnosis(
                f"php-fpm was not running: its log says it {what} at {stops.time:%H:%M:%S} "
                f"({stops.file}:{stops.line}), "
                f"so pool '{pool.name}' did not listen on {pool.listen}", None, "error", listen.path, listen.line,
                [Related(route.directive.path, route.directive.line, f"nginx connects to {pool.listen} here")],
                next_step="start php-fpm (systemctl start php*-fpm) and find out why it stopped", evidence=[stops])
        gone = "the socket did not exist" if errno == 2 else (
            "the socket file existed but nothing accepted on it (stale: php-fpm died or was killed without removing it)"
            if pool.listen.kind == "unix" else "nothing listened on that port")
        return Diagnosis(f"pool '{pool.name}' is configured to listen on {pool.listen}, but {gone} when nginx "
                         f"connected: its php-fpm was not running", None, "error", listen.path, listen.line,
                         [Related(route.directive.path, route.directive.line, f"nginx connects to {pool.listen} here")],
                         next_step="start php-fpm (systemctl start php*-fpm), then check its log for why it was down")

    if kind == "connect" and pool is None and route is not None and errno == 111:
        down = [p for p in live_problems if p.kind == "backend-down"
                and any((b.directive.path, b.directive.line) == (p.path, p.line) for b in route.backends)]
        if down:
            return Diagnosis(down[0].cause, None, "error", down[0].path, down[0].line, [],
                             next_step=down[0].next_step, live=down)

    if kind in ("timeout", "connect-timeout") and pool is not None:
        full = _near(fpm, ("max-children",), names, first, last)
        if full:
            return _max_children(pool, full, block, "requests queued behind busy workers")
        return None

    if kind in ("reset", "closed") and pool is not None:
        killed = _near(fpm, ("terminated",), names, first, last, timedelta(seconds=10))
        if killed:
            pids = {e.details.get("pid") for e in killed}
            killed += [e for e in fpm if e.kind == "child-signal" and e.details.get("pid") in pids]
            terminate = pool.get("request_terminate_timeout")
            at = terminate or pool.header
            return Diagnosis(f"php-fpm killed the worker: request_terminate_timeout "
                             f"{terminate.value if terminate else ''} of pool '{pool.name}' "
                             f"({len(killed)} x 'execution timed out ... terminating' in its log)",
                             None, "error", at.path, at.line, [], evidence=killed, confirms=("GW220",),
                             next_step="make the script faster, or raise request_terminate_timeout (keep it at or "
                                       "below fastcgi_read_timeout)")
        signaled = _near(fpm, ("child-signal",), names, first, last, timedelta(seconds=10))
        signaled = [e for e in signaled if e.details.get("signame") != "SIGQUIT"]
        if signaled:
            sig = signaled[0].details.get("signame") or f"signal {signaled[0].details.get('signal')}"
            hint = {"SIGKILL": "the kernel's OOM killer, or a hard kill: check `dmesg` / `journalctl -k` for OOM",
                    "SIGSEGV": "a crash in PHP or an extension: enable core dumps and get a backtrace",
                    "SIGBUS": "a crash (often opcache shared memory): check opcache and the disk"}.get(sig, "")
            return Diagnosis(f"php-fpm workers of pool '{pool.name}' died on {sig} while serving these requests "
                             f"({len(signaled)} x 'exited on signal' in its log)", None, "error", pool.path, pool.line,
                             [], evidence=signaled, next_step=hint or "find out what sends that signal",
                             confirms=("GW224",) if sig == "SIGKILL" else ())
        return None

    if kind == "script-unknown" and route is not None and route.kind == "fastcgi_pass":
        params = config_params(block)
        if "SCRIPT_FILENAME" not in params:
            return Diagnosis("no fastcgi_param SCRIPT_FILENAME reaches this location (Debian's fastcgi_params sets "
                             "none; fastcgi.conf does): php-fpm cannot tell which script to run", None, "error",
                             route.directive.path, route.directive.line, [],
                             next_step="include fastcgi.conf (or snippets/fastcgi-php.conf) instead of fastcgi_params")
        d = params["SCRIPT_FILENAME"]
        return Diagnosis(f"php-fpm found no file at SCRIPT_FILENAME {' '.join(d.args[1:])}: the script does not "
                         f"exist under the root nginx passes, or the pool's user may not read it", None, "warning",
                         d.path, d.line, [Related(route.directive.path, route.directive.line, "this fastcgi_pass")],
                         next_step="compare `root` for this location with where the PHP files are (and chroot/chdir "
                                   "of the pool)")

    if kind == "max-execution-time" and pool is not None:
        value = php_value(pool, "max_execution_time", block)
        at = value.at
        return Diagnosis(f"PHP stopped the script at max_execution_time {value.text} ({value.source})", None,
                         "warning", at.path if at else pool.path, at.line if at else pool.line, [],
                         next_step="make the script faster, or raise max_execution_time for this pool")

    if kind == "memory-limit" and pool is not None:
        value = php_value(pool, "memory_limit", block)
        at = value.at
        return Diagnosis(f"PHP ran out of memory_limit {value.text} ({value.source})", None, "warning",
                         at.path if at else pool.path, at.line if at else pool.line, [],
                         next_step="find the allocation in the script, or raise memory_limit (mind pm.max_children "
                                   "x memory_limit against the machine's RAM)")

    if kind == "too-big-header" and route is not None:
        name = {"fastcgi_pass": "fastcgi_buffer_size", "proxy_pass": "proxy_buffer_size",
                "uwsgi_pass": "uwsgi_buffer_size", "scgi_pass": "scgi_buffer_size",
                "grpc_pass": "grpc_buffer_size"}.get(route.kind)
        if name:
            value = nginx_value(block, name, default="4k|8k (one memory page)", parse=lambda t: None)
            at = value.at or route.directive
            return Diagnosis(f"the response headers are larger than {name} {value.text} ({value.source})", None,
                             "warning", at.path, at.line, [],
                             next_step=f"raise {name} (e.g. 16k or 32k) in this location, and check for huge cookies "
                                       f"or headers set by the app")
    return None


def config_params(block) -> dict:
    """fastcgi_param directives in effect in a location: {name: directive}."""
    return {d.args[0]: d for d in (block.inherited_all("fastcgi_param") if block is not None else ()) if d.args}


def _max_children(pool, full: list[Entry], block, how: str) -> Diagnosis:
    setting = pool.get("pm.max_children") or pool.header
    read = nginx_value(block, "fastcgi_read_timeout") if block is not None else None
    limit = full[0].details.get("limit")
    return Diagnosis(f"pool '{pool.name}' reached pm.max_children ({limit}) at "
                     f"{', '.join(sorted({f'{e.time:%H:%M:%S}' for e in full if e.time}))[:80]}: {how} until "
                     f"nginx gave up" + (f" ({read})" if read is not None else ""), None, "error",
                     setting.path, setting.line, [], evidence=full,
                     next_step="raise pm.max_children if memory allows (workers x memory_limit), or make the "
                               "slow requests faster (slowlog shows where they wait)")


def _lifecycle(fpm: list[Entry], at) -> Entry | None:
    """The last php-fpm start/stop/failure logged before `at`."""
    if at is None:
        return None
    last = None
    for e in fpm:
        if e.kind in ("fpm-start", "fpm-stop", "fpm-error") and e.time is not None and e.time <= at \
                and (last is None or last.time is None or e.time >= last.time):
            last = e
    return last


def _fpm_only(ws, fpm: list[Entry], diagnoses: list[Diagnosis]) -> list[Diagnosis]:
    """php-fpm warnings no nginx line led to (max_children, terminated, signals): still causes."""
    shown = {id(e) for d in diagnoses for e in d.evidence}
    # a worker php-fpm itself terminated (request_terminate_timeout) exits on SIGTERM: one event, not two
    terminated = {e.details.get("pid") for e in fpm if e.kind == "terminated"}
    out = []
    by_pool: dict[tuple[str, str | None], list[Entry]] = {}
    for e in fpm:
        if id(e) not in shown and e.kind in ("max-children", "terminated", "child-signal"):
            if e.kind == "child-signal" and (e.details.get("signame") == "SIGQUIT"
                                             or e.details.get("pid") in terminated):
                continue
            by_pool.setdefault((e.kind, e.pool), []).append(e)
    pools = {p.name: p for p in ws.pools}
    for (kind, name), entries in by_pool.items():
        pool = pools.get(name)
        at = None
        if pool is not None:
            key = {"max-children": "pm.max_children", "terminated": "request_terminate_timeout"}.get(kind)
            at = (pool.get(key) if key else None) or pool.header
        text = {"max-children": f"pool '{name}' reached pm.max_children ({entries[0].details.get('limit')}): "
                                "new requests wait for a free worker",
                "terminated": f"pool '{name}' killed workers at request_terminate_timeout: those requests got 502",
                "child-signal": f"workers of pool '{name}' died on "
                                f"{entries[0].details.get('signame') or 'a signal'}: their requests got 502"}[kind]
        step = {"max-children": "raise pm.max_children if memory allows",
                "terminated": "find the slow script (slowlog)",
                "child-signal": "check dmesg for the OOM killer or a crash"}[kind]
        out.append(Diagnosis(text, None, "warning", at.path if at else None, at.line if at else None, [],
                             entries=entries, next_step=step, error=kind, evidence=entries))
    return out


def log_display(path: Path, root: Path) -> str:
    """A log's path relative to ROOT when it lies under it, else as given."""
    try:
        return Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return str(path)


__all__ = ["Diagnosis", "Report", "Severity", "diagnose"]
