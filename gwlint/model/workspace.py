"""The one model rules query: nginx routes resolved to endpoints, FPM pools indexed by endpoint."""

import gc
import posixpath
import re
from collections import defaultdict
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager

from gwlint.engine.finding import Finding
from gwlint.errors import InputError, short_name
from gwlint.load.accounts import Accounts, Identity, load_accounts
from gwlint.load.discover import COMPOSE_NAMES, Discovery, default_path_map, discover
from gwlint.load.fpm import FpmInstall, Pool, load_install, load_php_ini, php_ini_chain
from gwlint.load.fsroot import Root, join
from gwlint.load.hosts import load_container_user, load_hosts
from gwlint.load.ini import Setting
from gwlint.load.nginx import PASS_DIRECTIVES, Directive, NginxConfig
from gwlint.load.snippet import is_wrapper
from gwlint.load.systemd import Units, load_units
from gwlint.model import passvars, runtime
from gwlint.model.backends import Declaration, ProxyTarget, declarations
from gwlint.model.endpoint import Endpoint, PassTarget, is_loopback_host, parse_pass_target
from gwlint.model.sockperm import BlockedDir, SocketPerms, blocked_parent, socket_perms
from gwlint.records import Record

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~3 ms of start-up)
if TYPE_CHECKING:
    from typing import Any

    from gwlint.load.compose import Project
    from gwlint.load.mapbody import MapBody

DEFAULT_NGINX_USER = "nobody"


class Options(Record):
    """Facts gwlint cannot read from the tree; the defaults are the software's own."""

    __slots__ = ("backends", "fpm_master_user", "nginx_user", "nginx_version")

    def __init__(self, nginx_user: str = DEFAULT_NGINX_USER, fpm_master_user: str | None = None,
                 backends: dict[str, str] | None = None, nginx_version: str = "1.22") -> None:
        self.nginx_user = nginx_user
        # who runs php-fpm's master; None: the tree decides (runtime.fpm_master), root by default
        self.fpm_master_user = fpm_master_user
        self.backends = {} if backends is None else backends  # name -> "host:port" declared by the user
        # The nginx version whose defaults apply. 1.22 is the oldest nginx a supported mainstream
        # distro still ships (Debian 12: 1.22.1), so version-dependent rules err on the old side.
        self.nginx_version = nginx_version
        if not re.fullmatch(r"\d+\.\d+(\.\d+)?", nginx_version):
            raise ValueError(f"nginx_version {nginx_version!r} is not a version such as 1.22 or 1.29.7")


class Backend:
    """One place a route sends requests: the direct target or one `server` of an upstream."""

    def __init__(self, endpoint: Endpoint | None, directive: Directive, pools: list[Pool] | None = None) -> None:
        self.endpoint = endpoint
        self.directive = directive  # the *_pass line, or the upstream's `server` line
        self.pools = [] if pools is None else pools

    @property
    def backup(self) -> bool:
        """An upstream `server ... backup`: contacted only when the primary servers fail (measured:
        an upstream whose backup is missing serves 200 while the primary is up)."""
        return self.directive.name == "server" and "backup" in self.directive.args[1:]


class Route:
    """A `*_pass` directive, the block it serves, and where it leads."""

    def __init__(self, directive: Directive, target: PassTarget | None, upstream: Directive | None = None,
                 backends: list[Backend] | None = None, outcomes: list | None = None) -> None:
        self.directive = directive
        self.target = target  # None when the argument has variables
        self.upstream = upstream
        self.backends = [] if backends is None else backends
        # with variables: what nginx does with each value the argument can take (passvars.Outcome);
        # None without variables, or when a value cannot be followed
        self.outcomes = outcomes

    @property
    def kind(self) -> str:
        return self.directive.name

    @property
    def location(self) -> Directive | None:
        """The location (or server/if block) whose requests this route serves."""
        return self.directive.parent

    @property
    def block(self) -> Directive | None:
        """The block whose settings apply to this route: its location (or server), never an `if`
        or `limit_except`, which take no timeouts or proxy settings of their own."""
        return config_block(self.location)

    @property
    def live_backends(self) -> list[Backend]:
        """The backends nginx may contact: upstream servers marked `down` never are."""
        return [b for b in self.backends if b.directive is self.directive or "down" not in b.directive.args[1:]]

    def via(self, backend: Backend) -> str:
        """How a finding names a backend: `fastcgi_pass X` or `upstream U server X`."""
        if self.upstream is not None and backend.directive is not self.directive:
            return f"upstream {self.upstream.args[0]} server {backend.directive.args[0]}"
        return f"{self.kind} {self.directive.args[0]}"

    def own_listens(self) -> set[tuple[str, int]]:
        """(path, line) of the `listen` lines of the server block holding this route."""
        server = self.directive.ancestor("server")
        return {(d.path, d.line) for d in server.children("listen")} if server is not None else set()


def config_block(block: Directive | None) -> Directive | None:
    """The location/server/http block whose settings apply: `if` and `limit_except` take none."""
    if block is not None and block.name in ("if", "limit_except"):
        return block.ancestor("location", "server", "http")
    return block


class NginxInstance:
    """One nginx entry file with its expanded tree."""

    def __init__(self, entry: str, main: Directive, upstreams: dict[str, Directive], routes: list[Route]) -> None:
        self.entry = entry
        self.main = main
        self.upstreams = upstreams
        self.routes = routes

    @property
    def user(self) -> Directive | None:
        return self.main.child("user")


class Workspace:
    """Everything read from one root, loaded once by load_workspace: rules query only this."""

    def __init__(self, root: Root, options: Options = Options()):
        self.root = root
        self.options = options
        self.nginx: list[NginxInstance] = []
        self.nginx_files: dict = {}
        self.include_sites: dict[str, set[str]] = defaultdict(set)
        self.installs: list[FpmInstall] = []
        self.backend_files: list[str] = []  # docker-compose and PM2 files found in the tree
        self.system_layout = False  # the root is laid out like / (etc/nginx, etc/php*...): a file system
        self.compose: list[Project] = []  # the compose files' services and mounts (gwlint.load.compose)
        self.accounts = Accounts()  # etc/passwd and etc/group
        self.units = Units()  # systemd service units, precedence and drop-ins applied
        self.hosts: dict[str, list[tuple[str, int]]] | None = None  # etc/hosts: name -> [(address, line)]
        self.container_user: Setting | None = None  # the Dockerfile's USER
        self.declarations: list[Declaration] = []  # backends the tree declares (units, compose, PM2...)
        self.problems: list[Finding] = []
        self.rule_options: dict[str, Any] = {}  # rule name and code -> its OPTIONS as configured (the engine sets it)
        self._by_name: dict[str, list[Directive]] = defaultdict(list)
        self.map_bodies: dict[int, list[MapBody]] = {}  # id(include in a map {}) -> tables kept as text
        self._map_entries: dict[int, list[Directive]] = {}
        self._pools_by_endpoint: dict[tuple, list[Pool]] = defaultdict(list)
        self._masters: dict[int, runtime.Master] = {}
        self.var_assignments: dict[tuple[int, str], list[Directive]] | None = None  # passvars' index
        self.hops_found: list | None = None  # hops.hops(), computed once
        self.listeners_by_port: dict | None = None  # backends' index of listeners by port, built on first use
        self.socket_aliases: dict = {}  # run_path(link) -> runtime.SocketAlias (Debian's php-fpm.sock)

    # queries -----------------------------------------------------------------------------
    @property
    def pools(self) -> list[Pool]:
        return [pool for install in self.installs for pool in install.pools]

    @property
    def routes(self) -> list[Route]:
        return [route for instance in self.nginx for route in instance.routes]

    def servers(self) -> list[Directive]:
        """Every `server {}` block, in file order."""
        return [d for d in self.directives("server") if d.block is not None]

    def tree_has_dir(self, path: str) -> bool:
        """Whether the tree holds a directory at the absolute path `path` (as the server would see it)."""
        return self.root.is_dir(join(self.root.path, path.lstrip("/")))

    def missing_app_dir(self, path: str):
        """A gwlint.model.appdir.MissingDir when the absolute `path` is missing from a `/`-like tree
        that evidently holds the application around it (appdir's rule); None otherwise."""
        if not self.system_layout:
            return None
        from gwlint.model.appdir import missing_app_dir

        return missing_app_dir(self.root, path)

    def mount_mismatch(self, route: Route, root: str):
        """A gwlint.model.mounts.MountMismatch when, in a compose tree, the PHP container of `route`
        does not hold the document root `root` (absolute, normalized) where nginx's does; None when
        it does or when the tree does not tell (gwlint.model.mounts)."""
        if not self.compose:
            return None
        from gwlint.model.mounts import mount_mismatch

        return mount_mismatch(self.compose, self.nginx_files, route, root)

    def php_routes(self) -> list[Route]:
        return [route for route in self.routes if route.kind == "fastcgi_pass"]

    def directives(self, name: str) -> list[Directive]:
        """Every directive called `name`, across all nginx instances, in file order."""
        return self._by_name.get(name, [])

    def map_entries(self, block: Directive) -> list[Directive]:
        """A `map {}` block's children, with the entries of the tables it includes as directives
        where the include stands (the loader keeps large tables as text: gwlint.load.mapbody)."""
        if id(block) not in self._map_entries:
            out = []
            for child in block.block or ():
                out.append(child)
                for body in self.map_bodies.get(id(child), ()):
                    out += [Directive(key, [value], body.rel, line, line, block, [quoted], child)
                            for key, value, quoted, line in body.entries()]
            self._map_entries[id(block)] = out
        return self._map_entries[id(block)]

    def pools_at(self, endpoint: Endpoint) -> list[Pool]:
        """Pools listening where `endpoint` points: the same socket (through /var/run = /run and
        Debian's php-fpm.sock link), or the same TCP port."""
        if endpoint.kind == "unix":
            return self._pools_by_endpoint.get(("unix", self.socket_path(endpoint.path or "")), [])
        return self._pools_by_endpoint.get(("tcp", endpoint.port), [])

    def fpm_master(self, install) -> runtime.Master:
        """Who runs `install`'s php-fpm master (runtime.fpm_master), computed once."""
        cached = self._masters.get(id(install))
        if cached is None:
            cached = self._masters[id(install)] = runtime.fpm_master(self, install)
        return cached

    def socket_path(self, path: str) -> str:
        """The socket a unix path reaches at run time: `/var/run` is `/run`, and a runtime symlink
        (Debian's `/run/php/php-fpm.sock`) leads to its pool's socket."""
        path = runtime.run_path(path)
        alias = self.socket_aliases.get(path)
        return runtime.run_path(alias.target) if alias is not None else path

    def same_socket(self, a: Endpoint, b: Endpoint) -> bool:
        """Whether two unix endpoints are one socket at run time."""
        return a.kind == b.kind == "unix" and self.socket_path(a.path or "") == self.socket_path(b.path or "")

    def accepts(self, listen: Endpoint, target: Endpoint) -> bool:
        """Whether a pool listening at `listen` certainly accepts a connection aimed at `target`
        (a unix socket through /var/run = /run and its runtime links)."""
        if listen.kind == target.kind == "unix":
            return self.same_socket(listen, target)
        return listen.accepts(target)

    def alias_of(self, endpoint: Endpoint):
        """The runtime alias `endpoint` goes through (a runtime.SocketAlias), or None."""
        return self.socket_aliases.get(runtime.run_path(endpoint.path or "")) if endpoint.kind == "unix" else None

    def include_count(self, rel: str) -> int:
        """How many include directives load the nginx file `rel`."""
        return len(self.include_sites.get(rel, ()))

    def options_for(self, rule: str) -> "Any":
        """A rule's options, by its NAME or CODE: its OPTIONS instance as configured under
        `[tool.gwlint.rules.<name>]`, defaults for what is not set."""
        try:
            return self.rule_options[rule]
        except KeyError:
            raise LookupError(f"rule {rule!r} declares no OPTIONS, or the engine did not run it") from None

    def nginx_user(self, instance: NginxInstance) -> str:
        user = instance.user
        return user.args[0] if user and user.args else self.options.nginx_user

    def nginx_at_least(self, version: tuple[int, ...]) -> bool:
        """Whether the nginx version gwlint assumes (Options.nginx_version) is `version` or newer."""
        parts = tuple(int(p) for p in self.options.nginx_version.split("."))
        return parts + (0,) * (3 - len(parts)) >= version

    def route_pools(self) -> Iterator[tuple[Route, Directive | None, Pool]]:
        """(route, its config block, pool) for every PHP route and every pool it reaches, deduplicated."""
        seen = set()
        for route in self.php_routes():
            block = route.block
            for backend in route.backends:
                for pool in backend.pools:
                    key = (id(block), id(pool))
                    if key not in seen:
                        seen.add(key)
                        yield route, block, pool

    def pool_sites(self) -> dict[int, set[int]]:
        """For each pool (by id), the `server {}` blocks (by id) whose fastcgi_pass lines reach it."""
        sites: dict[int, set[int]] = {}
        for route in self.php_routes():
            server = id(route.directive.ancestor("server"))
            for backend in route.backends:
                for pool in backend.pools:
                    sites.setdefault(id(pool), set()).add(server)
        return sites

    def site_pools(self) -> dict[int, list[Pool]]:
        """For each `server {}` block (by id), the pools its fastcgi_pass lines reach."""
        out: dict[int, list[Pool]] = {}
        for route in self.php_routes():
            mine = out.setdefault(id(route.directive.ancestor("server")), [])
            for backend in route.backends:
                mine.extend(backend.pools)
        return out

    def php_contexts(self, key: str) -> Iterator[tuple[Pool, Directive | None]]:
        """(pool, None) for each pool's own value, then (pool, location) where nginx's PHP_VALUE or
        PHP_ADMIN_VALUE sets `key` for the requests of that location."""
        from gwlint.model.effective import php_params

        yield from ((pool, None) for pool in self.pools)
        for _, block, pool in self.route_pools():
            if any(key in keys for keys in php_params(block).values()):
                yield pool, block

    def socket_clients(self) -> dict[Pool, list[tuple[NginxInstance, Route]]]:
        """For each pool listening on a unix socket: the (nginx instance, fastcgi_pass route) pairs
        that connect to it."""
        clients: dict = {}
        for instance in self.nginx:
            for route in instance.routes:
                if route.kind != "fastcgi_pass":
                    continue
                for backend in route.backends:
                    if backend.endpoint is not None and backend.endpoint.kind == "unix":
                        for pool in backend.pools:
                            clients.setdefault(pool, []).append((instance, route))
        return clients

    def worker(self, instance: NginxInstance) -> Identity:
        """Who the nginx worker runs as: `user NAME [GROUP];`, where a missing GROUP means the group
        named like the user (measured: `user nobody;` fails with getgrnam("nobody") on Debian); no
        `user` directive means Options.nginx_user with its own group."""
        directive = instance.user
        if directive is not None and directive.args:
            args = directive.args
            return self.accounts.identity(args[0], args[1] if len(args) > 1 else args[0])
        return self.accounts.identity(self.nginx_user(instance))

    def socket_perms(self, pool: Pool) -> SocketPerms:
        """Owner, group, mode and ACL of the socket `pool` creates (under its master, fpm_master)."""
        return socket_perms(pool, self.accounts, self.fpm_master(pool.install).user or "root")

    def blocked_parent(self, socket_path: str, who: Identity) -> BlockedDir | None:
        """The first parent directory of a socket that `who` cannot search, judged by the tree."""
        return blocked_parent(self.root, socket_path, who, self.accounts)

    def loopback_names(self) -> dict[str, str]:
        """Names (lower case) that the tree's etc/hosts maps to a loopback address, with that address: nginx (when it
        runs on this root) reaches them over loopback, e.g. `php` -> 127.0.0.1 in a one-container image."""
        return {name: entries[0][0] for name, entries in (self.hosts or {}).items()
                if is_loopback_host(entries[0][0])}

    def listeners_on(self, port: int, reached_as: str | None = None) -> list[Declaration]:
        """What the tree says listens on TCP `port`, FPM pools aside (nginx listens, units, compose,
        PM2, configured backends); without the PHP-FPM container nginx reaches as `reached_as`
        (backends.port_listeners)."""
        from gwlint.model.backends import port_listeners

        return port_listeners(self, port, reached_as)

    def listeners_beside(self, port: int, reached_as: Collection[str | None]) -> list[Declaration] | None:
        """listeners_on, narrowed to the machine of a pool on TCP `port` that nginx reaches by the
        names `reached_as`: this host, or its compose container; None when that cannot be told
        (backends.pool_port_listeners)."""
        from gwlint.model.backends import pool_port_listeners

        return pool_port_listeners(self, port, reached_as)

    def proxy_targets(self) -> list[ProxyTarget]:
        """TCP targets of proxy_pass/grpc_pass/uwsgi_pass/scgi_pass on hosts the tree declares."""
        from gwlint.model.backends import proxy_targets

        return proxy_targets(self)

    # building ----------------------------------------------------------------------------
    def index(self) -> None:
        """Index pools by endpoint and resolve every route: linear in the size of the config."""
        self.socket_aliases = runtime.socket_aliases(self)
        for pool in self.pools:
            listen = pool.listen
            if listen is not None:
                key = ("unix", runtime.run_path(listen.path or "")) if listen.kind == "unix" else ("tcp", listen.port)
                self._pools_by_endpoint[key].append(pool)
        for instance in self.nginx:
            for route in instance.routes:
                if route.target is None:
                    _resolve_variables(self, instance, route)
                for backend in route.backends:
                    if backend.endpoint is not None:
                        backend.pools = self.pools_at(backend.endpoint)


def build_nginx(root: Root, entry: str, config: NginxConfig, by_name: dict) -> NginxInstance:
    main = config.load(entry)
    upstreams: dict[str, Directive] = {}
    passes: list[Directive] = []
    for node in main.walk():
        by_name[node.name].append(node)
        if node.name == "upstream" and node.args and node.block is not None:
            upstreams[node.args[0]] = node
        elif node.name in PASS_DIRECTIVES and node.args:
            passes.append(node)
    routes = [_route(node, upstreams) for node in passes]
    return NginxInstance(root.rel(entry), main, upstreams, routes)


def _route(node: Directive, upstreams: dict[str, Directive]) -> Route:
    target = parse_pass_target(node.args[0])
    route = Route(node, target)
    if target is None:
        return route
    if target.path is None and target.port is None and target.host in upstreams:
        _use_upstream(route, upstreams[target.host])
        return route
    route.backends.append(Backend(target.endpoint(), node))
    return route


def _use_upstream(route: Route, upstream: Directive) -> None:
    route.upstream = upstream
    for server in upstream.children("server"):
        if server.args:
            server_target = parse_pass_target(server.args[0])
            endpoint = None
            if server_target is not None:  # an upstream server without a port means port 80
                endpoint = server_target.endpoint() or Endpoint("tcp", host=server_target.host, port=80)
            route.backends.append(Backend(endpoint, server))


def _resolve_variables(ws: Workspace, instance: NginxInstance, route: Route) -> None:
    """A `*_pass` with variables: its outcomes per value; when every value names one `upstream {}`
    (`proxy_pass http://octane$suffix;`), the route uses that upstream, as nginx does at run time."""
    route.outcomes = passvars.outcomes(ws, instance, route)
    upstreams = {id(o.upstream): o.upstream for o in route.outcomes or () if o.upstream is not None}
    if route.outcomes and len(upstreams) == 1 and all(o.kind == "upstream" for o in route.outcomes):
        _use_upstream(route, next(iter(upstreams.values())))
    elif route.outcomes and route.kind == "fastcgi_pass" and re.fullmatch(_ONE_VAR, route.directive.args[0]) \
            and all(o.kind == "address" and len(o.sources) == 1 for o in route.outcomes):
        # `set $php unix:/run/...; fastcgi_pass $php;` or a map of literal addresses: each value is a
        # backend, at the set/map line that holds it (what a fix edits)
        for outcome in route.outcomes:
            target = parse_pass_target(outcome.value)
            endpoint = target.endpoint() if target is not None else None
            if endpoint is not None and isinstance(outcome.sources[0], Directive) and outcome.sources[0].name != "map":
                route.backends.append(Backend(endpoint, outcome.sources[0]))


_ONE_VAR = r"\$(?:\{\w+\}|\w+)"  # compiled on first use: few trees pass to a variable


def load_workspace(root_path: str, *, nginx: Sequence[str] = (), fpm: Sequence[str] = (),
                   php_ini: Sequence[str] = (), options: Options = Options(),
                   path_map: dict[str, str] | None = None, overlay: dict[str, str] | None = None,
                   cache=None) -> Workspace:
    """Discover and parse a root (or the files named explicitly) into a Workspace.

    `cache`: a gwlint.load.cache.ParseCache to reuse parsed files whose text has not changed.
    """
    with gc_paused():
        return _load_workspace(root_path, nginx, fpm, php_ini, options, path_map, overlay, cache)


@contextmanager
def gc_paused():
    """Parsing allocates millions of objects and frees none: the cyclic GC would only rescan them."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _load_workspace(root_path, nginx, fpm, php_ini, options, path_map, overlay, cache) -> Workspace:
    probe = Root(root_path)
    found = discover(probe)
    if nginx:  # an explicit file replaces discovery for its own kind only
        found.nginx_entries = list(nginx)
    if fpm:
        found.fpm_confs, found.pool_dirs = list(fpm), []
    mapping = dict(default_path_map(probe, found.nginx_entries))
    mapping.update(path_map or {})
    root = Root(root_path, mapping, overlay, cache)
    ws = Workspace(root, options)
    ws.backend_files = found.backend_files
    ws.system_layout = found.system
    compose_files = [p for p in found.backend_files if posixpath.basename(p) in COMPOSE_NAMES]
    if compose_files:  # (the compose reader is imported only for trees that have compose files)
        from gwlint.load.compose import load_compose

        ws.compose = load_compose(root, compose_files)
    _load_nginx(ws, found.nginx_entries)
    _load_fpm(ws, found, list(php_ini))
    _load_templates(ws, found.templates)
    ws.accounts = load_accounts(root)
    ws.units = load_units(root)
    ws.hosts = load_hosts(root)
    ws.container_user = load_container_user(root)
    ws.index()
    ws.declarations = declarations(ws)
    return ws


def _load_nginx(ws: Workspace, entries: list[str]) -> None:
    included: set[str] = set()
    instances = []
    for entry in entries:
        ws.root.require(entry)
        config = NginxConfig(ws.root, posixpath.dirname(entry))
        # a snippet linted alone (a virtual wrapper includes it) outside any nginx config dir
        standalone = not ws.root.is_file(posixpath.join(ws.root.path, "nginx.conf"))
        config.standalone = is_wrapper(ws.root.rel(entry)) and standalone
        instance = build_nginx(ws.root, entry, config, ws._by_name)
        included.update(rel for rel in config.files if rel != instance.entry)
        ws.nginx_files.update(config.files)
        ws.map_bodies.update(config.map_bodies)
        for rel, sites in config.include_sites.items():  # (the config's sets: one per file on 10k sites)
            kept = ws.include_sites.setdefault(rel, sites)
            if kept is not sites:
                kept |= sites
        instances.append(instance)
        ws.problems.extend(_load_problems(config))
    # an nginx.conf that another entry includes is not an entry of its own
    ws.nginx = [i for i in instances if i.entry not in included]
    if len(ws.nginx) != len(instances):
        ws._by_name.clear()
        for instance in ws.nginx:
            for node in instance.main.walk():
                ws._by_name[node.name].append(node)


def _load_problems(config: NginxConfig) -> list[Finding]:
    from gwlint.engine import toolcodes as tc

    problems = [tc.INCLUDE_NOT_FOUND.finding(f'include "{short_name(d.args[0])}" ' + (
                    f"cannot be opened: {config.open_errors[id(d)]}; nginx fails to start"
                    if id(d) in config.open_errors else "matches no file under the linted root"), d.path, d.line)
                for d in config.missing_includes]
    for d in config.unjudged_includes:  # a warning: the tree does not say, nginx's prefix is not in it
        unjudged = tc.INCLUDE_NOT_FOUND.finding(
            f'include "{d.args[0]}" matches no file beside this snippet: nginx resolves it against its prefix '
            "(/etc/nginx), which a snippet linted alone does not hold; lint the snippet inside its config tree to "
            "check it", d.path, d.line)
        unjudged.severity = tc.Severity.WARNING
        problems.append(unjudged)
    problems += [tc.INCLUDE_CYCLE.finding(f'include "{short_name(d.args[0])}" includes a file that is already being '
                                          "included (cycle cut)", d.path, d.line)
                 for d in config.include_cycles]
    problems += [tc.INCLUDE_NOT_FOUND.finding(f'include "{short_name(d.args[0])}" matches {rel}, {why}: nginx fails '
                                              "to start (open() failed (2: No such file or directory))", d.path, d.line)
                 for d, rel, why, fatal in config.unread_matches if fatal]
    problems += [tc.INCLUDE_OUTSIDE_TREE.finding(f'include "{short_name(d.args[0])}" matches {rel}, {why}: not linted',
                                                 d.path, d.line)
                 for d, rel, why, fatal in config.unread_matches if not fatal]
    return problems + template_problems(config.templates)


def template_problems(templates) -> list[Finding]:
    """GW903 (info) for each unrendered template file, once per file."""
    from gwlint.engine import toolcodes as tc

    seen: dict[str, Finding] = {}
    for t in templates:
        seen.setdefault(t.path or "", tc.UNRENDERED_TEMPLATE.finding(str(t.message) + "; not linted",
                                                                     t.path or "", t.line or 1))
    return list(seen.values())


def _load_fpm(ws: Workspace, found: Discovery, php_ini: list[str]) -> None:
    covered: set[str] = set()
    for conf in found.fpm_confs:
        ws.root.require(conf)
        install = load_install(ws.root, conf)
        load_php_ini(ws.root, install, php_ini or php_ini_chain(ws.root, posixpath.dirname(conf)))
        covered.update(install.files)
        covered.update(t.path for t in install.templates if t.path)
        ws.installs.append(install)
        if not install.pools and not install.templates:  # (a template pool is reported as such)
            ws.problems.append(_no_pool(install))
    for pool_dir in found.pool_dirs:
        loose = [p for p in ws.root.glob(posixpath.join(pool_dir, "*.conf"))
                 if ws.root.rel(p) not in covered and ws.root.is_file(p)]
        if loose:
            install = load_install(ws.root, None, loose)
            load_php_ini(ws.root, install, php_ini or php_ini_chain(ws.root, posixpath.dirname(pool_dir)))
            ws.installs.append(install)
    ws.problems.extend(template_problems(t for install in ws.installs for t in install.templates))


def _load_templates(ws: Workspace, paths: list[str]) -> None:
    """GW903 for the config templates found in the tree that no server reads as they are."""
    from gwlint.engine.toolcodes import UNRENDERED_TEMPLATE
    from gwlint.load.template import TemplateFile, find_template

    reported = {p.path for p in ws.problems if p.code == UNRENDERED_TEMPLATE.code}
    templates = []
    for path in paths:
        rel = ws.root.rel(path)
        if rel in reported or not ws.root.is_file(path):
            continue
        try:
            text = ws.root.read_text(path)
        except InputError:
            continue  # not read by any server: nothing to say about it
        ini = rel.endswith((".ini" + posixpath.splitext(path)[1], ".ini")) or "php" in rel.rpartition("/")[2]
        kind = "ini" if ini else "nginx"
        line, what = find_template(text, rel, kind) or (1, "a template file")
        reader = "PHP" if kind == "ini" else "nginx"
        if "/templates/" in f"/{rel}" and kind == "nginx" and rel.endswith(".template"):
            what += "; the nginx image renders /etc/nginx/templates/*.template into /etc/nginx/conf.d at start"
        templates.append(TemplateFile(f"a template ({what}), rendered before {reader} reads it", rel, line))
    ws.problems.extend(template_problems(templates))


def _no_pool(install: FpmInstall) -> Finding:
    """GW907: php-fpm refuses to start without a pool (measured: php-fpm 8.2 exits 78)."""
    include = install.global_settings.get("include")
    where = f"include={include.value} matches no pool file" if include else "it has no [pool] section and no include="
    from gwlint.engine import toolcodes as tc

    return tc.FPM_NO_POOL.finding(
        f"php-fpm defines no pool ({where}): php-fpm refuses to start (ERROR: No pool defined. at least one pool "
        "section must be specified in config file), so every PHP request gets 502 Bad Gateway, error.log: "
        "connect() to unix:... failed (2: No such file or directory) for a socket, connect() failed "
        "(111: Connection refused) for a port",
        include.path if include else install.conf or "", include.line if include else 1)

