"""Backends the tree declares (who listens where), each with the file and line that says so.

Sources: nginx `listen` directives, systemd units (Environment=PORT=, EnvironmentFile=,
ExecStart flags such as --port, --bind, -b, --host), docker-compose files (ports, expose,
environment, command), PM2 ecosystem files (env.PORT, args), the `.env` files these reference,
and backends named in gwlint's own config. A declaration gwlint cannot read is skipped, never
guessed.
"""

import posixpath
import re
from functools import lru_cache

from gwlint.errors import InputError
from gwlint.load.discover import PM2_NAMES
from gwlint.model.endpoint import Endpoint, is_loopback_host
from gwlint.records import Record

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~3 ms of start-up)
if TYPE_CHECKING:
    from collections.abc import Collection

    from gwlint.load.nginx import Directive
    from gwlint.model.workspace import Backend, Route

NOT_BACKENDS = r"(?i)nginx|php.*fpm"  # units whose ports are not app backends

_PORT_FLAG = r"(?:--port|--http-port|-p)[=\s]+(\d{1,5})\b"
_BIND_FLAG = r"(?:--bind|-b|--listen)[=\s]+(?:\[?([\w.:-]*?)\]?:)?(\d{1,5})\b"
_HOST_FLAG = r"(?:--host|-H)[=\s]+([\w.:-]+)"
_ENV_PAIR = r"\b(PORT|HOST|BIND|LISTEN|HTTP_PORT|APP_PORT)=\"?([\w.:\[\]-]+)\"?"
_PM2_PORT = r"\bPORT\b['\"]?\s*:\s*['\"]?(\d{1,5})"
_PHP = r"(?i)php|fpm"


class Declaration(Record):
    """A backend listening on `port` at `host` (None: every address) of `machine`.

    `machine` is "host" for this machine (nginx, systemd, PM2 and published compose ports) or a
    compose service name (reached as that name from other containers). `wildcard` is the
    every-address form the tree writes (0.0.0.0, ::, *) when `host` is None because of it; None
    when the tree gives no address at all (the program's default decides).
    """

    __slots__ = ("host", "label", "line", "machine", "path", "port", "wildcard")

    def __init__(self, machine: str, host: str | None, port: int, path: str, line: int, label: str,
                 wildcard: str | None = None) -> None:
        self.machine = machine
        self.host = host
        self.port = port
        self.path = path
        self.line = line
        self.label = label
        self.wildcard = wildcard

    @property
    def loopback_only(self) -> bool:
        return is_loopback_host(self.host)


def declarations(ws) -> list[Declaration]:
    """Every backend declaration of a workspace being loaded (the loader stores them in ws.declarations)."""
    return sorted(_nginx_listens(ws) + _systemd(ws) + _compose(ws) + _pm2(ws) + _configured(ws),
                  key=lambda d: (d.path, d.line, d.port))


@lru_cache(maxsize=8192)  # pure: rules ask about every listen line, several times a run
def _split_listen(value: str) -> tuple[str | None, int] | None:
    """(host or None for every address, port) of a `listen`-style value; None for unix sockets."""
    if value.startswith("unix:"):
        return None
    if value.isdigit():
        return None, int(value)
    if value.startswith("["):
        host, _, rest = value[1:].partition("]")
        port = rest.lstrip(":") or "80"
    elif ":" in value:
        host, _, port = value.rpartition(":")
    else:
        host, port = value, "80"
    if not port.isdigit():
        return None
    return (None if host in ("", "*", "0.0.0.0", "::") else host), int(port)


def _nginx_listens(ws) -> list[Declaration]:
    """nginx servers bound to a loopback address: internal vhosts that front vhosts proxy to.

    Servers on public addresses are front doors, not backends: counting them would make every
    `listen 80;` vhost a "did you mean" for an app port the tree does not show.
    """
    return [d for _, d in _nginx_binds(ws) if is_loopback_host(d.host)]


def _nginx_binds(ws) -> list[tuple["Directive", Declaration]]:
    """Every server `listen` on an address and port, with the declaration it makes."""
    return [(listen, _nginx_declaration(listen, host, port)) for listen, host, port in server_binds(ws)]


def _nginx_declaration(listen: "Directive", host: str | None, port: int) -> Declaration:
    names = listen.parent.child("server_name") if listen.parent is not None else None
    address = host or ("::" if listen.args[0].startswith("[") else "*")  # `[::]:80` is not IPv4's `80`
    shown = f"[{address}]" if ":" in address else address
    label = f"nginx server {names.args[0] if names and names.args else '(unnamed)'} listens on {shown}:{port}"
    return Declaration("host", host, port, listen.path, listen.line, label)


def port_listeners(ws, port: int, reached_as: str | None = None) -> list[Declaration]:
    """What the tree says listens on TCP `port`, FPM pools aside: each nginx server `listen` on it
    (any address; not `udp`/`quic`, which hold no TCP port) and each declaration (systemd units,
    compose, PM2, configured backends). A wildcard bind of that port collides with every one of them.

    `reached_as`: the host name nginx reaches a pool by (`php` of `fastcgi_pass php:9000`). When it
    names exactly one compose service and that service runs PHP-FPM (a php-fpm image, or `php`/`fpm`
    in its image or name), the `ports`/`expose` lines of that service declare the pool's own port in
    its container (and the host port published to it): they are left out. Any other service, or a
    name that fits none or several, keeps them in (unsure: counted).
    """
    skip = _php_service_ports(ws, reached_as) if reached_as else set()
    return [d for d in _listeners_by_port(ws)[port] if (d.path, d.line) not in skip]


def _listeners_by_port(ws) -> dict[int, list[Declaration]]:
    """port_listeners' listeners (reached_as aside) of a port, each port's built once per workspace:
    a rule asks about each TCP pool, and a tree may hold thousands of `listen` lines."""
    if ws.listeners_by_port is None:
        ws.listeners_by_port = _PortIndex(ws)
    return ws.listeners_by_port


class _PortIndex(dict):
    """port -> its listeners, filled on first lookup from the server `listen` lines and the
    declarations grouped by port."""

    def __init__(self, ws) -> None:
        super().__init__()
        self.listens: dict[int, list] = {}
        for listen, host, port in server_binds(ws):
            self.listens.setdefault(port, []).append((listen, host))
        self.declarations: dict[int, list[Declaration]] = {}
        for decl in ws.declarations:
            self.declarations.setdefault(decl.port, []).append(decl)

    def __missing__(self, port: int) -> list[Declaration]:
        udp, nginx = set(), []
        for listen, host in self.listens.get(port, ()):
            decl = _nginx_declaration(listen, host, port)
            if {"udp", "quic"} & set(listen.args[1:]):
                udp.add((decl.path, decl.line))
            else:
                nginx.append(decl)
        out: dict[tuple[str, int, str], Declaration] = {}  # nginx's loopback listens are declarations too
        for decl in nginx + self.declarations.get(port, []):
            if (decl.path, decl.line) not in udp:
                out.setdefault((decl.path, decl.line, decl.label), decl)
        found = self[port] = list(out.values())
        return found


def pool_port_listeners(ws, port: int, reached_as: "Collection[str | None]") -> list[Declaration] | None:
    """port_listeners on the machine of a pool listening on TCP `port` that nginx reaches by the host
    names `reached_as` (those of every route to it): the one PHP-FPM compose service they name (its
    own `ports`/`expose` left out), else this host when nginx runs on it (a tree is one machine).
    A compose service's container ports are on its container, nginx's listens where nginx runs (this
    host, or its compose service). None when nginx runs in a container and the pool's container
    cannot be told: unknown, not wrong."""
    names = {name for name in reached_as if name}
    services = {found[1].name: name for name in names if (found := _php_service(ws, name)) is not None}
    nginx_at = nginx_machine(ws)
    if len(services) == 1:
        ((machine, name),) = services.items()
    elif nginx_at == "host" and not services:
        machine, name = "host", None
    else:
        return None
    return [d for d in port_listeners(ws, port, name)
            if (nginx_at if d.path in ws.nginx_files else d.machine) == machine]


def nginx_machine(ws) -> str:
    """Where nginx runs: "host", or the compose service carrying the tree's nginx config (or the one
    service of an nginx image; mounts.nginx_service)."""
    from gwlint.model.mounts import nginx_service

    for project in ws.compose:
        service = nginx_service(project, ws.nginx_files)
        if service is not None:
            return service.name
    return "host"


def _php_service(ws, host: str):
    """(project, service) of the one compose service named `host` (by name, alias or an nginx
    `links` alias), when it runs PHP-FPM (a php-fpm image, or `php`/`fpm` in its image or name)."""
    from gwlint.model.mounts import stock_php

    found = []
    for project in ws.compose:
        linked = {client.links[host] for client in project.services.values() if host in client.links}
        found += [(project, s) for s in project.services.values() if host in s.names or s.name in linked]
    if len(found) != 1:
        return None
    ((project, service),) = found
    if not (stock_php(service) or re.search(_PHP, f"{service.image or ''} {service.name}")):
        return None
    return project, service


def _php_service_ports(ws, host: str) -> set[tuple[str, int]]:
    """(file, line) of the `ports`/`expose` items of the one PHP-FPM compose service named `host`."""
    found = _php_service(ws, host)
    if found is None:
        return set()
    project, service = found
    from gwlint.load.compose import mapping, mapping_items, sequence, service_mapping

    node = next((v for k, v in mapping_items(mapping(project.doc).get("services")) if k.value == service.name), None)
    spec = service_mapping(node) if node is not None else {}
    rel = ws.root.rel(project.file)
    return {(rel, item.start_mark.line + 1) for key in ("ports", "expose") for item in sequence(spec.get(key))}


def server_binds(ws) -> list[tuple["Directive", str | None, int]]:
    """(listen, host or None for every address, port) of each TCP `listen` of a `server {}`."""
    out = []
    for listen in ws.directives("listen"):
        if listen.args and listen.parent is not None and listen.parent.name == "server":
            parsed = _split_listen(listen.args[0])
            if parsed is not None:
                out.append((listen, *parsed))
    return out


def host_addresses(ws) -> set[str]:
    """Addresses nginx listens on explicitly: they belong to this machine."""
    return {host for _, host, _ in server_binds(ws) if host}


def _read(ws, path: str) -> str | None:
    """A file's text, or None when it cannot be read (a declaration is skipped, never guessed)."""
    try:
        return ws.root.read_text(path)
    except InputError:
        return None


def _env_file(ws, value: str, base: str) -> list[tuple[str, str, str, int]]:
    """(key, value, path, line) pairs of a referenced .env file."""
    path = ws.root.map_config_path(value.lstrip("-"), base)
    text = _read(ws, path)
    if text is None:
        return []
    rel = ws.root.rel(path)
    pairs = []
    for number, line in enumerate(text.splitlines(), 1):
        key, eq, val = line.strip().removeprefix("export ").partition("=")
        if eq and not key.startswith("#"):
            pairs.append((key.strip(), val.strip().strip("\"'"), rel, number))
    return pairs


def _from_env(pairs, machine: str, label: str) -> list[Declaration]:
    """A declaration from PORT (and HOST/BIND) environment pairs."""
    env = {k: (v, p, n) for k, v, p, n in pairs}
    port = next((env[k] for k in ("PORT", "HTTP_PORT", "APP_PORT") if k in env and env[k][0].isdigit()), None)
    if port is None:
        return []
    host, wildcard = _address(next((env[k][0] for k in ("HOST", "BIND") if k in env), None))
    return [Declaration(machine, host, int(port[0]), port[1], port[2], f"{label} (PORT={port[0]})", wildcard)]


def _from_command(command: str, path: str, line: int, machine: str, label: str) -> list[Declaration]:
    bind = re.search(_BIND_FLAG, command)
    if bind:
        written = bind.group(1) or None
        host, wildcard = _address(written)
        return [Declaration(machine, host, int(bind.group(2)), path, line,
                            f"{label} binds {written or '*'}:{bind.group(2)}", wildcard)]
    port = re.search(_PORT_FLAG, command)
    if port:
        flag = re.search(_HOST_FLAG, command)
        address, wildcard = _address(flag.group(1) if flag else None)
        return [Declaration(machine, address, int(port.group(1)), path, line,
                            f"{label} listens on port {port.group(1)}", wildcard)]
    return []


def _address(written: str | None) -> tuple[str | None, str | None]:
    """(host, wildcard) of a bind address as written: 0.0.0.0, :: and * are every address (host
    None), and the form written is kept; no address at all gives (None, None)."""
    if written in ("0.0.0.0", "::", "*"):
        return None, written
    return written, None


def _systemd(ws) -> list[Declaration]:
    out = []
    for unit in ws.units:
        if not re.search(NOT_BACKENDS, unit.name):
            out += _systemd_unit(ws, unit)
    return out


def _systemd_unit(ws, unit) -> list[Declaration]:
    """The unit's effective ExecStart flags, else its PORT= (Environment=, EnvironmentFile=)."""
    label = f"systemd unit {unit.name}"
    pairs = []
    for s in unit.all("Service", "Environment"):
        pairs += [(k, v, s.path, s.line) for k, v in re.findall(_ENV_PAIR, s.value)]
    for s in unit.all("Service", "EnvironmentFile"):
        pairs += _env_file(ws, s.value, posixpath.dirname(posixpath.join(ws.root.path, s.path)))
    found = []
    for s in unit.all("Service", "ExecStart"):
        found += _from_command(s.value, s.path, s.line, "host", label)
    return found or _from_env(pairs, "host", label)


def _files_named(ws, names: frozenset) -> list[str]:
    """The compose or PM2 files discovery found in the tree."""
    return [p for p in ws.backend_files if posixpath.basename(p) in names]


def _compose(ws) -> list[Declaration]:
    out = []
    for project in ws.compose:
        out += _compose_file(ws, project.file, project.doc)
    return out


def _compose_file(ws, path: str, doc) -> list[Declaration]:
    from gwlint.load.compose import mapping, mapping_items, scalars, sequence, service_mapping  # (compose trees only)

    services = mapping(doc).get("services")
    rel = ws.root.rel(path)
    out = []
    for name_node, service in mapping_items(services):
        name = name_node.value
        spec = service_mapping(service)
        label = f"compose service {name}"
        for item in sequence(spec.get("ports")) + sequence(spec.get("expose")):
            out += _compose_port(item, name, rel, label)
        env_pairs = _compose_env(spec.get("environment"), rel)
        for env_file in scalars(spec.get("env_file")):
            env_pairs += _env_file(ws, env_file, posixpath.dirname(path))
        command = spec.get("command")
        from_command = _from_command(" ".join(scalars(command)), rel, command.start_mark.line + 1, name,
                                     label) if command is not None else []
        out += from_command or _from_env(env_pairs, name, label)  # the command line wins over PORT=
    return out


def _compose_port(item, service: str, rel: str, label: str) -> list[Declaration]:
    """`"8080:3000"`, `"127.0.0.1:8080:3000"`, `"3000"`, or the long form {target, published, host_ip}."""
    import yaml

    from gwlint.load.compose import mapping

    line = item.start_mark.line + 1
    parts: list[str | None]
    if isinstance(item, yaml.MappingNode):
        spec = {k: v.value for k, v in mapping(item).items() if isinstance(v, yaml.ScalarNode)}
        parts = [spec.get("host_ip"), spec.get("published"), spec.get("target")]
    else:
        given = str(item.value).split("/")[0].split(":")
        parts = [None] * (3 - len(given)) + given
    host_ip, published, target = parts[-3], parts[-2], parts[-1]
    out = []
    if target and str(target).isdigit():
        out.append(Declaration(service, None, int(target), rel, line, f"{label} serves port {target}"))
    if published and str(published).isdigit():
        host = None if host_ip in (None, "", "0.0.0.0", "::") else host_ip
        out.append(Declaration("host", host, int(published), rel, line,
                               f"{label} publishes {host or '*'}:{published}"))
    return out


def _compose_env(node, rel: str) -> list[tuple[str, str, str, int]]:
    import yaml

    from gwlint.load.compose import mapping_items, sequence

    pairs = []
    if isinstance(node, yaml.MappingNode):
        for key, value in mapping_items(node):
            pairs.append((key.value, str(value.value), rel, key.start_mark.line + 1))
    for item in sequence(node):
        key, eq, value = str(item.value).partition("=")
        if eq:
            pairs.append((key, value, rel, item.start_mark.line + 1))
    return pairs


def _pm2(ws) -> list[Declaration]:
    out = []
    for path in _files_named(ws, PM2_NAMES):
        text = _read(ws, path)
        if text is None:
            continue
        rel = ws.root.rel(path)
        for number, line in enumerate(text.splitlines(), 1):
            m = re.search(_PM2_PORT, line) or re.search(_PORT_FLAG, line)
            if m:
                out.append(Declaration("host", None, int(m.group(1)), rel, number,
                                       f"PM2 app in {posixpath.basename(path)} listens on port {m.group(1)}"))
    return out


def _configured(ws) -> list[Declaration]:
    out = []
    for name, address in sorted(getattr(ws.options, "backends", {}).items()):
        parsed = _split_listen(address)
        if parsed:
            out.append(Declaration("host", parsed[0], parsed[1], "", 0, f"configured backend {name}"))
    return out


PROXY_DIRECTIVES = frozenset({"proxy_pass", "grpc_pass", "uwsgi_pass", "scgi_pass"})


class ProxyTarget(Record):
    """A proxied backend and the machine its host names: "host" (this machine) or a compose service.
    `endpoint` is the backend's (always TCP, with a port)."""

    __slots__ = ("backend", "endpoint", "machine", "route")

    def __init__(self, route: "Route", backend: "Backend", machine: str, endpoint: Endpoint) -> None:
        self.route = route
        self.backend = backend
        self.machine = machine
        self.endpoint = endpoint

    @property
    def port(self) -> int:
        assert self.endpoint.port is not None  # proxy_targets keeps only endpoints with a port
        return self.endpoint.port

    def served_by(self, decls: list[Declaration]) -> list[Declaration]:
        """Declarations on this target's machine and port, whatever address they bind."""
        return [d for d in decls if d.machine == self.machine and d.port == self.port]


def proxy_targets(ws) -> list[ProxyTarget]:
    """TCP targets of proxy_pass/grpc_pass/uwsgi_pass/scgi_pass whose host the tree knows."""
    decls = ws.declarations
    services = {d.machine for d in decls}
    own_addresses = host_addresses(ws) | {d.host for d in decls if d.machine == "host" and d.host}
    out = []
    for route in ws.routes:
        if route.kind not in PROXY_DIRECTIVES:
            continue
        for backend in route.backends:
            endpoint = backend.endpoint
            if endpoint is None or endpoint.kind != "tcp" or endpoint.port is None:
                continue
            if is_loopback_host(endpoint.host) or endpoint.host in own_addresses:
                out.append(ProxyTarget(route, backend, "host", endpoint))
            elif endpoint.host in services:
                out.append(ProxyTarget(route, backend, endpoint.host, endpoint))
    return out
