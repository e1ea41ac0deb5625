"""Where the PHP container finds the script nginx names, in a compose tree.

nginx sends `SCRIPT_FILENAME` as nginx sees the file; php-fpm opens that path in its own container.
When the two services mount the application at different paths, the path names nothing there.

- nginx's service: the one whose bind mounts carry the nginx config the tree holds (a target with
  `nginx` in it, a source holding one of the tree's nginx files), else the one service whose image
  is nginx's (`nginx*`, `*/nginx*`, `openresty*`).
- the PHP service of a route: the one `fastcgi_pass` (or its upstream's servers) names by host
  (service name, container_name, hostname, network alias, nginx's `links`), or, for a unix
  socket, the one other service that mounts the socket's directory from the same source; when
  the target has variables, the one service with a stock PHP-FPM image.
- the document root's source: nginx's mount whose target holds `root` (the longest), and the path
  below it. PHP's view of it: each PHP mount of the same source (or a directory above it).

Unknown is not wrong: nothing is said when either service's mounts cannot be known
(compose.Service.unknown), nginx does not mount the root (its image holds the files), the PHP
service mounts nothing at all (its image may hold the code), another source is mounted at or
above the root in the PHP container, or PHP mounts only part of the application.
"""

import posixpath
import re

from gwlint.load.compose import Mount, Project, Service
from gwlint.records import Record

_NGINX_IMAGE = re.compile(r"(?:[\w.-]+(?::\d+)?/)*(?:nginx|openresty)[\w.-]*(?::.*)?")
_STOCK_PHP = re.compile(r"(?:docker\.io/)?(?:library/)?php:[\w.-]*fpm[\w.-]*|(?:docker\.io/)?bitnami/php-fpm(?::.*)?")


class MountMismatch(Record):
    """The document root `docroot` is nginx's mount `nginx_mount` of the application; the PHP
    service has it at `php_path` through `php_mounts` (None, (): not at all). `stock`: the PHP
    service runs a stock php-fpm image (no build), which holds no application of its own."""

    __slots__ = ("docroot", "nginx", "nginx_mount", "php", "php_mounts", "php_path", "project", "stock")

    def __init__(self, project: Project, nginx: Service, php: Service, docroot: str, nginx_mount: Mount,
                 php_mounts: tuple[Mount, ...], php_path: str | None, stock: bool) -> None:
        self.project = project
        self.nginx = nginx
        self.php = php
        self.docroot = docroot
        self.nginx_mount = nginx_mount
        self.php_mounts = php_mounts
        self.php_path = php_path
        self.stock = stock


def under(path: str, top: str) -> bool:
    """Whether `path` is `top` or below it (both normalized: absolute paths or `kind:path` sources)."""
    return path == top or path.startswith(top.rstrip("/") + "/")


def below(path: str, top: str) -> str:
    """`path` relative to `top` ("" for top itself); `path` must be under `top`."""
    return path[len(top):].lstrip("/")


def _join(top: str, rest: str) -> str:
    return posixpath.join(top, rest) if rest else top


def stock_php(service: Service) -> bool:
    return not service.build and service.image is not None and _STOCK_PHP.fullmatch(service.image) is not None


def nginx_service(project: Project, nginx_files) -> Service | None:
    """nginx's service in `project`: the one carrying the tree's nginx config, else the one nginx image."""
    def carries(service: Service) -> bool:
        return any(m.source is not None and m.source.startswith("bind:") and "nginx" in m.target
                   and any(under(f, m.source[5:]) or m.source == "bind:." for f in nginx_files)
                   for m in service.mounts)

    for found in ([s for s in project.services.values() if carries(s)],
                  [s for s in project.services.values() if s.image and _NGINX_IMAGE.fullmatch(s.image)]):
        if found:
            return found[0] if len(found) == 1 else None
    return None


def php_service(project: Project, nginx: Service, route) -> Service | None:
    """The service the route's fastcgi_pass reaches from nginx's container (one, or None)."""
    found: dict[str, Service] = {}
    for backend in route.backends:
        endpoint = backend.endpoint
        service = None
        if endpoint is not None and endpoint.kind == "tcp" and endpoint.host:
            service = project.reached_as(endpoint.host, nginx)
        elif endpoint is not None and endpoint.kind == "unix":
            service = _socket_peer(project, nginx, endpoint.path or "")
        if service is None:
            return None
        found[service.name] = service
    if not route.backends and route.target is None:
        stock = [s for s in project.services.values() if stock_php(s)]
        return stock[0] if len(stock) == 1 else None
    return next(iter(found.values())) if len(found) == 1 else None


def _socket_peer(project: Project, nginx: Service, socket: str) -> Service | None:
    mounts = project.mounts(nginx) or []
    shared = _covering(mounts, socket)
    if shared is None or shared.source is None:
        return None
    peers = [s for s in project.services.values() if s is not nginx
             and any(m.source == shared.source for m in project.mounts(s) or [])]
    return peers[0] if len(peers) == 1 else None


def _covering(mounts: list[Mount], path: str) -> Mount | None:
    """The mount whose target holds `path`, the deepest one."""
    holding = [m for m in mounts if under(path, m.target)]
    return max(holding, key=lambda m: len(m.target)) if holding else None


def mount_mismatch(projects: list[Project], nginx_files, route, root: str) -> MountMismatch | None:
    """How `root` (absolute, normalized) reaches the PHP container of `route`, when it does not."""
    for project in projects:
        nginx = nginx_service(project, nginx_files)
        php = php_service(project, nginx, route) if nginx is not None else None
        if nginx is None or php is None or php is nginx:
            continue
        nginx_mounts, php_mounts = project.mounts(nginx), project.mounts(php)
        if not nginx_mounts or not php_mounts:
            continue
        mount = _covering(nginx_mounts, root)
        if mount is None or mount.source is None:
            continue
        found = _php_view(php_mounts, _join(mount.source, below(root, mount.target)), root)
        if found is None:
            continue
        views, used = found
        if views or stock_php(php):
            return MountMismatch(project, nginx, php, root, mount, tuple(used), views[0] if views else None,
                                 stock_php(php))
    return None


def _php_view(mounts: list[Mount], app: str, root: str) -> tuple[list[str], list[Mount]] | None:
    """Where the PHP container has the source `app` (paths, and the mounts giving them); None when
    it has it at `root` after all, or when its view of `root` cannot be told."""
    views, used = [], []
    for mount in mounts:
        if mount.source is not None and under(app, mount.source):
            view = _join(mount.target, below(app, mount.source))
            if view == root:
                return None
            views.append(view)
            used.append(mount)
        elif mount.source is not None and under(mount.source, app):
            return None  # PHP mounts a part of the application: where the scripts are is not told
        elif under(root, mount.target):
            return None  # another source at or above the root: its scripts may be there
    return views, used
