"""Where a `*_pass` with variables leads: nginx's own run-time lookup, per possible value.

Measured on nginx 1.22: the argument is evaluated per request and parsed as a URL; its host is
then looked up among the `upstream {}` blocks (an explicit block matches a host given without a
port) and the implicit upstreams of literal `*_pass` targets (same host and port); else an IP is
connected to directly, and a name is resolved with `resolver` (none in scope: 502, `no resolver
defined to resolve NAME`). Without a scheme (fastcgi_pass, uwsgi_pass, scgi_pass) a name that is
no upstream and has no port is a 500, `no port in upstream "NAME"`.
`proxy_pass http://octane$suffix;` with `upstream octane` and `set $suffix ?$query_string;` is the
upstream octane (200).
"""

import re
from functools import partial
from itertools import product

from gwlint.load.nginx import Directive
from gwlint.model.endpoint import parse_pass_target
from gwlint.records import Record

_VAR = r"\$(?:\{(\w+)\}|(\w+))"  # compiled on first use (re caches it): most passes hold no variable
# stand-ins for what request variables expand to: enough to find where the host part ends
_URI_VALUES = {"request_uri": "/x", "uri": "/x", "document_uri": "/x", "is_args": "?", "args": "a=1",
               "query_string": "a=1"}
_REQUEST_HOST_VARS = ("host", "http_host", "server_name", "hostname")
_REQUEST_PREFIXES = ("http_", "arg_", "cookie_")
_MAP_SPECIALS = frozenset({"hostnames", "volatile", "include"})
ANY = "\x00"  # a request-derived value: any name
UNKNOWN = "\x01"  # a variable the tree gives no values for
MAX_EXPANSIONS = 64


class Outcome(Record):
    """What nginx does with one possible value of a variable `*_pass` argument.

    kind: "upstream" (an `upstream {}` block, `upstream` set), "implicit" (the implicit upstream of
    a literal `*_pass` with the same host and port), "address" (an IP, or a unix socket: connected
    to directly), "resolve" (a name nginx resolves per request: needs `resolver`; `host` None when
    a variable the tree does not set is part of it), "request" (a host taken from the request: any
    name, resolved per request), "no-port" (no scheme, no port, no upstream: 500), "unknown" (a
    variable the tree does not set decides).
    """

    __slots__ = ("host", "kind", "port", "sources", "upstream", "value")

    def __init__(self, kind: str, value: str, host: str | None, port: int | None, sources: tuple,
                 upstream: Directive | None = None) -> None:
        self.kind = kind
        self.value = value  # the argument as it expands ("\x00" where the request decides)
        self.host = host
        self.port = port
        self.sources = sources  # the set/map lines whose values were used
        self.upstream = upstream  # the upstream block


def _assignments(ws) -> dict[tuple[int, str], list[Directive]]:
    """`set` and `map` directives by (id of the block whose requests they reach, variable name):
    a `set` reaches the requests of its server block (server and location level, `if` included,
    across internal redirects); a `map` those of its http block. Built once per model."""
    index = ws.var_assignments
    if index is None:
        index = ws.var_assignments = {}
        for d in ws.directives("set"):
            if len(d.args) >= 2:
                index.setdefault((id(d.ancestor("server")), d.args[0][1:]), []).append(d)
        for block in ws.directives("map"):
            if len(block.args) >= 2:
                index.setdefault((id(block.ancestor("http")), block.args[1][1:]), []).append(block)
    return index


def literal_values(ws, var: str, where: Directive) -> list[tuple[str, object]] | None:
    """Values that `set $var` (in the server block of `where`, a `*_pass`) and `map ... $var {}`
    (in its http block) assign, with the directive assigning each; None when nothing there assigns
    it (a `set` in another server never reaches this one's requests)."""
    index = _assignments(ws)
    out: list[tuple[str, object]] = []
    for d in index.get((id(where.ancestor("server")), var), ()):
        out.append((d.args[1], d))
    for block in index.get((id(where.ancestor("http")), var), ()):
        entries = [d for d in ws.map_entries(block) if d.name not in _MAP_SPECIALS and d.args]
        out += [(d.args[0], d) for d in entries]  # `key value;` and `default value;`
        if not any(d.name == "default" for d in entries):
            out.append(("", block))  # a map without default gives an empty value
    return out or None


def expansions(ws, arg: str, where: Directive, depth: int = 3) -> list[tuple[str, tuple]] | None:
    """The values `arg` (of the `*_pass` `where`) can take, each with the directives that gave it
    (UNKNOWN where the tree gives a variable no values); None when there are too many to follow."""
    names = list(dict.fromkeys(m.group(1) or m.group(2) for m in re.finditer(_VAR, arg)))
    if not names:
        return [(arg, ())]
    choices: list[list[tuple[str, object]]] = []
    for name in names:
        if name in _URI_VALUES:
            choices.append([(_URI_VALUES[name], None)])
        elif name in _REQUEST_HOST_VARS or name.startswith(_REQUEST_PREFIXES):
            choices.append([(ANY, None)])
        else:
            values = literal_values(ws, name, where) if depth else None
            choices.append(values if values is not None else [(UNKNOWN, None)])
    out: list[tuple[str, tuple]] = []
    for combo in product(*choices):
        mapping = {name: value for name, (value, _) in zip(names, combo, strict=True)}
        text = re.sub(_VAR, partial(_value_of, mapping), arg)
        sources = tuple(src for _, src in combo if src is not None)
        if "$" in text:
            inner = expansions(ws, text, where, depth - 1)
            if inner is None:
                return None
            out += [(t, sources + s) for t, s in inner]
        else:
            out.append((text, sources))
        if len(out) > MAX_EXPANSIONS:
            return None
    return out


def _value_of(values: dict[str, str], m: re.Match) -> str:
    return values[m.group(1) or m.group(2)]


def outcomes(ws, instance, route) -> list[Outcome] | None:
    """Every outcome of a variable `*_pass` of `instance`; None when its values are unknown."""
    values = expansions(ws, route.directive.args[0], route.directive)
    if values is None:
        return None
    has_scheme = route.kind in ("proxy_pass", "grpc_pass")  # a scheme gives a default port
    return [_outcome(instance, value, sources, has_scheme) for value, sources in values]


def _outcome(instance, value: str, sources: tuple, has_scheme: bool) -> Outcome:
    _, sep, rest = value.partition("://")
    rest = rest if sep else value
    if rest.startswith("unix:"):
        return Outcome("address", value, None, None, sources)
    hostport = re.split(r"[/?]", rest, maxsplit=1)[0]
    if ANY in hostport:
        return Outcome("request", value, None, None, sources)
    if UNKNOWN in hostport:  # a literal name around it (`$tenant.example.com`) is a DNS name whatever it is
        literal = hostport.split(":", 1)[0].replace(UNKNOWN, "")
        kind = "resolve" if "." in literal and re.search(r"[a-zA-Z]", literal) else "unknown"
        return Outcome(kind, value, None, None, sources)
    target = parse_pass_target(hostport)
    host = target.host if target is not None else hostport
    port = target.port if target is not None else None
    if host in instance.upstreams and port is None:
        return Outcome("upstream", value, host, port, sources, instance.upstreams[host])
    if any(r.target is not None and (r.target.host, r.target.port) == (host, port) for r in instance.routes):
        return Outcome("implicit", value, host, port, sources)
    if port is None and not has_scheme:
        return Outcome("no-port", value, host, port, sources)
    if _is_ip(host):
        return Outcome("address", value, host, port, sources)
    return Outcome("resolve", value, host, port, sources)


def _is_ip(host: str | None) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address((host or "").strip("[]"))
        return True
    except ValueError:
        return False
