"""Map a logged request onto the config as nginx does: server, location, then the `*_pass` in effect.

Server: the log's `server:` field is the first `server_name` of the block that took the request
(ngx_http_log_error_handler), so it picks the block directly; without it, the Host header is matched
like nginx does (exact, leading wildcard, trailing wildcard, regex in order, then the default
server). Location: as the model picks it (gwlint.model.locations, nginx's
ngx_http_core_find_location), on the URI normalized as nginx does. A location without a `*_pass`
hands the request on through `try_files` or `index`; the log's `upstream:` field confirms the pass
(and finds it when the hop is not literal).
"""

import re
from dataclasses import dataclass, field
from urllib.parse import unquote

from gwlint.load.nginx import PASS_DIRECTIVES, Directive
from gwlint.model.endpoint import parse_pass_target
from gwlint.model.locations import regex_matches, select_location
from gwlint.model.workspace import Route, Workspace


@dataclass
class Match:
    """Where a logged request went: server block, location, route, and how sure the mapping is."""

    server: Directive | None
    location: Directive | None = None
    route: Route | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def pools(self) -> list:
        out = []
        for backend in self.route.backends if self.route else ():
            out += [p for p in backend.pools if p not in out]
        return out


def upstream_peer(value: str | None) -> str | None:
    """The peer of a log's `upstream:` field: `unix:/path`, `host:port`, or an upstream's name."""
    if not value:
        return None
    _, sep, rest = value.partition("://")
    rest = rest if sep else value
    if rest.startswith("unix:"):
        return "unix:" + rest[5:].split(":", 1)[0]  # nginx appends ":" and the URI to a socket path
    return rest.split("/", 1)[0]


def peer_matches(route: Route, peer: str | None) -> bool:
    """True when the route connects to `peer` (the log's upstream or connect() target)."""
    if peer is None:
        return False
    if route.upstream is not None and route.upstream.args and route.upstream.args[0] == peer:
        return True
    if route.target is not None and route.target.path is None and route.target.host == peer:
        return True
    if peer.startswith("unix:"):
        return any(b.endpoint is not None and b.endpoint.kind == "unix" and b.endpoint.path == peer[5:]
                   for b in route.backends)
    target = parse_pass_target(peer)
    if target is None or target.port is None:
        return False
    for backend in route.backends:
        e = backend.endpoint
        if e is not None and e.kind == "tcp" and e.port == target.port \
                and (e.host == target.host or not _is_ip(e.host) or e.host in (None, "localhost")):
            return True
    return False


def _is_ip(host: str | None) -> bool:
    if not host:
        return False
    return (host.count(".") == 3 and host.replace(".", "").isdigit()) or ":" in host


class Router:
    """Routes logged requests over one Workspace (indexes built once)."""

    def __init__(self, ws: Workspace):
        self.ws = ws
        self.servers = [s for instance in ws.nginx for s in instance.main.walk()
                        if s.name == "server" and s.block is not None and s.parent is not None
                        and s.parent.name == "http"]
        self.routes_at: dict[int, list[Route]] = {}
        for route in ws.routes:
            block = route.directive.ancestor("location", "server")
            if block is not None:
                self.routes_at.setdefault(id(block), []).append(route)

    # servers -------------------------------------------------------------------------------
    def find_servers(self, server_field: str | None, host: str | None) -> list[Directive]:
        """Candidate server blocks, best first."""
        if server_field is not None:
            named = [s for s in self.servers if _first_name(s) == server_field]
            if named:
                if len(named) > 1 and host:
                    best = [s for s in named if _name_match(s, _host_name(host))]
                    named = best + [s for s in named if s not in best]
                return named
        if host:
            name = _host_name(host)
            for kind in ("exact", "head", "tail", "regex"):
                found = [s for s in self.servers if _name_match(s, name, kind)]
                if found:
                    return found
        defaults = [s for s in self.servers if any("default_server" in d.args or "default" in d.args[1:]
                                                    for d in s.children("listen"))]
        return defaults + [s for s in self.servers if s not in defaults][:1]

    # locations -----------------------------------------------------------------------------
    def find_location(self, block: Directive, uri: str) -> Directive | None:
        """The location nginx picks for `uri` among those of `block` (a server or location)."""
        return select_location(block, uri)

    def routes_of(self, block: Directive | None) -> list[Route]:
        return self.routes_at.get(id(block), []) if block is not None else []

    def named_location(self, server: Directive, name: str) -> Directive | None:
        return next((d for d in server.walk() if d.name == "location" and d.args == [name]), None)

    # requests ------------------------------------------------------------------------------
    def match(self, server_field: str | None, host: str | None, uri: str | None, peer: str | None) -> Match | None:
        """Where the request went; None when no server block fits."""
        servers = self.find_servers(server_field, host)
        if not servers:
            return None
        first: Match | None = None
        for server in servers:
            found = self._in_server(server, uri, peer)
            if found.route is not None and (peer is None or peer_matches(found.route, peer)):
                return found
            first = first or found
        return first

    def _in_server(self, server: Directive, uri: str | None, peer: str | None) -> Match:
        result = Match(server)
        if uri is not None:
            path = _normalize(uri)
            location = self.find_location(server, path)
            result.location = location
            for _ in range(5):  # internal redirects: try_files, index
                routes = self.routes_of(location) if location is not None else self.routes_of(server)
                if routes:
                    result.route = _pick(routes, peer)
                    result.location = location
                    return result
                hop = self._next_hop(server, location, path) if location is not None else None
                if hop is None:
                    break
                location, path, note = hop
                result.notes.append(note)
        # the URI leads to no pass literally: the log's upstream names the one nginx used
        if peer is not None:
            candidates = [r for d in server.walk() if d.name == "location" for r in self.routes_of(d)
                          if peer_matches(r, peer)]
            candidates += [r for r in self.routes_of(server) if peer_matches(r, peer)]
            if len({id(c.location) for c in candidates}) == 1 or (candidates and uri is None):
                result.route = candidates[0]
                result.location = candidates[0].directive.ancestor("location", "server")
                result.notes.append("matched by the logged upstream")
        return result

    def _next_hop(self, server: Directive, location: Directive, path: str):
        """Where a location without a pass sends the request: (location, uri, note) or None."""
        try_files = location.inherited("try_files")
        if try_files is not None and try_files.args:
            last = try_files.args[-1]
            if last.startswith("@"):
                named = self.named_location(server, last)
                return (named, path, f"try_files {last}") if named is not None else None
            if not last.startswith("=") and "$" not in last.split("?", 1)[0]:
                target = last.split("?", 1)[0]
                return self.find_location(server, target), target, f"try_files {last}"
        if path.endswith("/"):
            index = location.inherited("index")
            for name in (index.args if index is not None else ["index.html"]):
                if "$" in name:
                    continue
                target = name if name.startswith("/") else path + name
                loc = self.find_location(server, target)
                if loc is not None and loc is not location and self.routes_of(loc):
                    return loc, target, f"index {name}"
        return None


def _pick(routes: list[Route], peer: str | None) -> Route:
    """The route of a location (several when `if` blocks hold passes): the one the log confirms."""
    if peer is not None:
        for route in routes:
            if peer_matches(route, peer):
                return route
    return routes[-1]


def _first_name(server: Directive) -> str:
    names = server.child("server_name")
    return names.args[0] if names is not None and names.args else ""


def _host_name(host: str) -> str:
    host = host.strip().lower()
    if host.startswith("["):
        return host.split("]", 1)[0] + "]"
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _name_match(server: Directive, name: str, kind: str | None = None) -> bool:
    for d in server.children("server_name"):
        for pattern in d.args:
            p = pattern.lower()
            if p.startswith("~"):
                if kind in (None, "regex") and regex_matches(p[1:], "~*", name):
                    return True
            elif p.startswith("."):
                if kind in (None, "head") and (name == p[1:] or name.endswith(p)):
                    return True
            elif p.startswith("*."):
                if kind in (None, "head") and name.endswith(p[1:]):
                    return True
            elif p.endswith(".*"):
                if kind in (None, "tail") and name.startswith(p[:-1]):
                    return True
            elif kind in (None, "exact") and p == name:
                return True
    return False


def _normalize(uri: str) -> str:
    """The URI nginx matches: decoded, slashes merged, dot segments resolved."""
    path = re.sub(r"/{2,}", "/", unquote(uri))
    out: list[str] = []
    for part in path.split("/")[1:]:
        if part == "..":
            if out:
                out.pop()
        elif part != ".":
            out.append(part)
    result = "/" + "/".join(out)
    return result + "/" if path.endswith("/") and not result.endswith("/") else result


def describe(match: Match) -> str:
    """`server example.com, location ~ \\.php$` for reports."""
    server = _first_name(match.server) if match.server is not None else ""
    where = f"server {server or '(no server_name)'}"
    if match.location is not None and match.location.name == "location":
        where += f", location {' '.join(match.location.args)}"
    return where


__all__ = ["PASS_DIRECTIVES", "Match", "Router", "describe", "peer_matches", "upstream_peer"]
