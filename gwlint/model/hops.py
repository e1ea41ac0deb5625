"""Local nginx-to-nginx hops: a `proxy_pass` to an address a server of the same tree listens on.

The request continues into that server as nginx would route it: the server listening on the
target's port (on that address or on every address; several: the one whose `server_name` is the
`Host` the front sends literally, else the port's `default_server`, else the first), then the
location `select_location` picks for a URI the front location passes (its prefix + `index.php`,
rewritten by a URI part of `proxy_pass`), following one `try_files` fallback URI (`/index.php`).
"""

import re

from gwlint.load.nginx import Directive
from gwlint.model.backends import host_addresses, server_binds
from gwlint.model.endpoint import is_loopback_host
from gwlint.model.locations import location_matches, select_location

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~3 ms of start-up)
if TYPE_CHECKING:
    from gwlint.model.workspace import Backend, Route

HOP_DIRECTIVES = frozenset({"proxy_pass"})
_URI_PART = r"^[a-z]+://[^/$]+(/[^$]*)$"  # compiled on first use (re caches it): few trees hop


class Hop:
    """One front `proxy_pass` backend that is a server of this tree, and where its request lands."""

    def __init__(self, front: "Route", backend: "Backend", server: Directive, listen: Directive, uri: str,
                 location: Directive | None, routes: list["Route"] | None = None) -> None:
        self.front = front  # the proxy_pass route
        self.backend = backend
        self.server = server  # the back server block
        self.listen = listen  # the back server's `listen` line that accepts the connection
        self.uri = uri  # the URI the back server sees (a sample PHP request)
        self.location = location  # the back location nginx selects for it
        self.routes = [] if routes is None else routes  # the back routes serving that location


def _host_header(route) -> str | None:
    for header in route.block.inherited_all("proxy_set_header") if route.block is not None else []:
        if len(header.args) >= 2 and header.args[0].lower() == "host" and "$" not in header.args[1]:
            return header.args[1].split(":")[0]
    return None


def _pick(candidates: list[Directive], host: str | None) -> Directive:
    """The listen line whose server nginx picks for this connection."""
    if host is not None:
        for listen in candidates:
            names = listen.parent.child("server_name") if listen.parent is not None else None
            if names is not None and host in names.args:
                return listen
    return next((lst for lst in candidates if "default_server" in lst.args[1:]), candidates[0])


def _sample_uri(route) -> str | None:
    """A PHP request URI the front location passes on, as the back server sees it."""
    location = route.location
    if location is None or location.name != "location":
        return "/index.php"
    args = location.args
    prefix = args[-1] if args and (len(args) == 1 or args[0] == "^~") and not args[-1].startswith("@") else "/"
    sample = prefix + "index.php" if prefix.endswith("/") else prefix + "/index.php"
    if not location_matches(location, sample):
        sample = "/index.php"
        if not location_matches(location, sample):
            return None
    m = re.match(_URI_PART, route.directive.args[0]) if route.directive.args else None
    part = m.group(1) if m else None
    if part and len(args) == 1:  # proxy_pass http://host:port/x/ replaces the location's prefix
        return part + sample[len(prefix):]
    return sample


def _land(server: Directive, uri: str) -> Directive | None:
    location = select_location(server, uri)
    if location is None:
        return None
    if not any(c.name.endswith("_pass") for c in location.block or []):
        tries = location.child("try_files")
        if tries is not None and tries.args and tries.args[-1].startswith("/"):
            return select_location(server, tries.args[-1].split("?")[0]) or location
    return location


def hops(ws) -> list[Hop]:
    """Every proxy_pass backend that reaches a server of this tree, with the back location
    (computed once per model)."""
    if ws.hops_found is None:
        ws.hops_found = _hops(ws)
    return ws.hops_found


def _hops(ws) -> list[Hop]:
    by_port: dict[int, list[tuple[str | None, Directive]]] = {}
    for lst, host, port in server_binds(ws):  # indexed by port: one lookup per backend, not a scan
        by_port.setdefault(port, []).append((host, lst))
    if not by_port:
        return []
    own = host_addresses(ws)
    by_block: dict[int, list] = {}
    for route in ws.routes:
        by_block.setdefault(id(route.block), []).append(route)
    out = []
    for route in ws.routes:
        if route.kind not in HOP_DIRECTIVES:
            continue
        for backend in route.live_backends:
            endpoint = backend.endpoint
            if endpoint is None or endpoint.kind != "tcp" or endpoint.port is None:
                continue
            if not (is_loopback_host(endpoint.host) or endpoint.host in own):
                continue
            candidates = [lst for host, lst in by_port.get(endpoint.port, ()) if
                          host is None or host == endpoint.host or
                          (is_loopback_host(host) and endpoint.host == "localhost")]
            if not candidates:
                continue
            listen = _pick(candidates, _host_header(route))
            server = listen.parent
            if server is None or server is route.directive.ancestor("server"):
                continue  # a server proxying to itself: not a hop to follow
            uri = _sample_uri(route)
            if uri is None:
                continue
            location = _land(server, uri)
            block = location if location is not None else server
            out.append(Hop(route, backend, server, listen, uri, location, by_block.get(id(block), [])))
    return out
