"""docker-compose files: each service's image, the names other containers reach it by, and what
it mounts where (`volumes` in the short `SRC:TARGET[:MODE]` and long `type/source/target` forms,
named volumes, `volumes_from`), with the file and line that says so.

Bind sources are kept as the tree sees them: a relative host path resolved against the compose
file's directory (`bind:src` for `./src` beside a top-level compose file), an absolute or `~`
path as written. A named volume is `volume:NAME`, unless the top-level `volumes:` binds it to a
host directory (`driver_opts: {type: none, o: bind, device: ./src}`). What `docker compose`
would merge in is read too: the `*.override.yml` beside the file (volumes merged by target, as
compose does). A service whose mounts gwlint cannot know says why in `unknown`: `${VAR}`
interpolation, `extends`, `volumes_from: container:...`, or another compose file beside it
(`docker-compose.prod.yml`, merged with `-f`) that also sets its volumes.
"""

from __future__ import annotations

import os
import posixpath
import re

from gwlint.errors import InputError
from gwlint.load.fsroot import Root
from gwlint.records import Record

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~3 ms of start-up)
if TYPE_CHECKING:
    from typing import Any

OVERRIDE_NAMES = ("docker-compose.override.yml", "docker-compose.override.yaml", "compose.override.yml",
                  "compose.override.yaml")
_VARIANT = re.compile(r"(?:docker-)?compose\.[\w.-]+\.ya?ml")


class Mount(Record):
    """`source` mounted at `target` in a service: `bind:PATH` or `volume:NAME`; None for an
    anonymous volume, a tmpfs or another type (nothing another service can share)."""

    __slots__ = ("line", "path", "source", "target", "written")

    def __init__(self, source: str | None, target: str, written: str, path: str, line: int) -> None:
        self.source = source
        self.target = target
        self.written = written  # the source as the file writes it (./src), for messages
        self.path = path
        self.line = line


class Service(Record):
    __slots__ = ("build", "image", "line", "links", "mounts", "name", "names", "path", "unknown", "volumes_from")

    def __init__(self, name: str, path: str, line: int, image: str | None = None, build: bool = False,
                 mounts: list[Mount] | None = None, volumes_from: list[str] | None = None,
                 names: set[str] | None = None, links: dict[str, str] | None = None,
                 unknown: str | None = None) -> None:
        self.name = name
        self.path = path  # the compose file (root-relative) and line of the service
        self.line = line
        self.image = image
        self.build = build
        self.mounts = [] if mounts is None else mounts
        self.volumes_from = [] if volumes_from is None else volumes_from
        self.names = set() if names is None else names  # service name, container_name, hostname, network aliases
        self.links = {} if links is None else links  # alias -> service, from `links: [php:fpm]`
        self.unknown = unknown  # why its mounts cannot be known


class Project(Record):
    """One compose file (and its override) with its services; `doc` is the file's YAML node."""

    __slots__ = ("doc", "file", "path", "services")

    def __init__(self, file: str, path: str, doc: Any, services: dict[str, Service] | None = None) -> None:
        self.file = file
        self.path = path
        self.doc = doc
        self.services = {} if services is None else services

    def mounts(self, service: Service) -> list[Mount] | None:
        """The service's mounts with those `volumes_from` brings (its own win on a target); None
        when they cannot be known (Service.unknown, here or in a service it takes volumes from)."""
        out: dict[str, Mount] = {}
        todo, seen = [service], set()
        while todo:
            current = todo.pop(0)
            if current.name in seen:
                continue
            seen.add(current.name)
            if current.unknown is not None:
                return None
            for mount in current.mounts:
                out.setdefault(mount.target, mount)
            for name in current.volumes_from:
                if name not in self.services:
                    return None
                todo.append(self.services[name])
        return list(out.values())

    def reached_as(self, host: str, client: Service) -> Service | None:
        """The service `client` reaches by the host name `host` (name, alias, container_name, link)."""
        name = client.links.get(host)
        if name in self.services:
            return self.services[name]
        found = [s for s in self.services.values() if host in s.names]
        return found[0] if len(found) == 1 else None


def load_compose(root: Root, files: list[str]) -> list[Project]:
    """The compose files discovery found (docker-compose.yml, compose.yaml...), each a Project."""
    out = []
    for file in files:
        doc = _parse(root, file)
        if doc is None:
            continue
        project = Project(file, root.rel(file), doc)
        volumes = _named_volumes(doc, root.rel(os.path.dirname(file)))
        _read_services(root, project, doc, volumes, overriding=False)
        for sibling in root.glob(os.path.join(os.path.dirname(file), "*compose*.y*ml")):
            if os.path.basename(sibling) in OVERRIDE_NAMES:
                extra = _parse(root, sibling)
                if extra is not None:
                    _read_services(root, project, extra, {**volumes, **_named_volumes(extra, project_dir(project))},
                                   overriding=True, rel=root.rel(sibling))
            elif sibling != file and _VARIANT.fullmatch(os.path.basename(sibling)):
                _mark_variant(root, project, sibling)
        out.append(project)
    return out


def project_dir(project: Project) -> str:
    return posixpath.dirname(project.path)


def _parse(root: Root, file: str):
    import yaml

    try:
        return yaml.compose(root.read_text(file), Loader=yaml.SafeLoader)
    except (InputError, yaml.YAMLError):
        return None


def _named_volumes(doc, base: str) -> dict[str, str]:
    """Top-level named volumes that bind a host directory: name -> `bind:PATH`."""
    out = {}
    for key, node in mapping_items(mapping(doc).get("volumes")):
        opts = {k: str(v.value) for k, v in mapping(mapping(node).get("driver_opts")).items() if _scalar(v)}
        device = opts.get("device", "")
        if "bind" in opts.get("o", "").split(",") and device and "$" not in device:
            out[str(key.value)] = "bind:" + _host_path(device, base)
    return out


def _host_path(value: str, base: str) -> str:
    """A bind source as the tree sees it: relative to the compose file's directory, else as written."""
    if value.startswith(("/", "~")):
        return value.rstrip("/") or "/"
    return posixpath.normpath(posixpath.join(base, value))


def _read_services(root: Root, project: Project, doc, volumes: dict[str, str], overriding: bool,
                   rel: str | None = None) -> None:
    rel = rel or project.path
    base = project_dir(project)
    for key, node in mapping_items(mapping(doc).get("services")):
        name = str(key.value)
        spec = service_mapping(node)
        service = project.services.get(name) if overriding else None
        if service is None:
            service = project.services[name] = Service(name, rel, key.start_mark.line + 1, names={name})
        service.image = next(iter(scalars(spec.get("image"))), service.image)
        service.build = service.build or "build" in spec
        for extra in ("container_name", "hostname"):
            service.names.update(scalars(spec.get(extra)))
        for _, network in mapping_items(spec.get("networks")):
            service.names.update(scalars(mapping(network).get("aliases")))
        for link in scalars(spec.get("links")):
            target, _, alias = link.partition(":")
            service.links[alias or target] = target
        if "extends" in spec:
            service.unknown = f"it extends another service ({rel}:{spec['extends'].start_mark.line + 1})"
        for item in sequence(spec.get("volumes")):
            mount = _mount(item, base, volumes, rel)
            if isinstance(mount, str):
                service.unknown = mount
            elif mount is not None:
                service.mounts = [m for m in service.mounts if m.target != mount.target] + [mount]
        for item in scalars(spec.get("volumes_from")):
            source, _, _mode = item.partition(":")
            if source == "container" or "$" in item:
                service.unknown = f"volumes_from {item} ({rel})"
            else:
                service.volumes_from.append(source)


def _mount(item, base: str, volumes: dict[str, str], rel: str) -> Mount | str | None:
    """A volume entry as a Mount; a string saying why it cannot be known; None for none."""
    line = item.start_mark.line + 1
    if _scalar(item):
        text = str(item.value)
        if "$" in text:
            return f"{text} is interpolated from the environment ({rel}:{line})"
        parts = text.split(":")
        if len(parts) == 1:
            return None  # an anonymous volume: nothing shared
        written, target = parts[0], parts[1]
        kind = "bind" if written.startswith((".", "/", "~")) else "volume"
    else:
        spec = {k: str(v.value) for k, v in mapping(item).items() if _scalar(v)}
        kind, written, target = spec.get("type", "volume"), spec.get("source", ""), spec.get("target", "")
        if "$" in written + target:
            return f"a volume is interpolated from the environment ({rel}:{line})"
        if kind not in ("bind", "volume") or not written:
            return None
    if not target.startswith("/"):
        return None
    target = posixpath.normpath(target)
    source = "bind:" + _host_path(written, base) if kind == "bind" else volumes.get(written, "volume:" + written)
    return Mount(source, target, written, rel, line)


def _mark_variant(root: Root, project: Project, file: str) -> None:
    """A compose file beside this one (merged with `-f` in some deployment): the services whose
    volumes it sets are not known from this file alone."""
    doc = _parse(root, file)
    for key, node in mapping_items(mapping(doc).get("services")):
        service = project.services.get(str(key.value))
        spec = service_mapping(node)
        if service is not None and any(k in spec for k in ("volumes", "volumes_from", "extends")):
            service.unknown = f"{root.rel(file)} also sets its volumes (merged with -f)"


# YAML nodes (yaml.compose keeps line numbers) ----------------------------------------------------
def _scalar(node) -> bool:
    import yaml

    return isinstance(node, yaml.ScalarNode)


def scalars(node) -> list[str]:
    """A scalar or a sequence of scalars as strings (compose accepts both for many keys)."""
    if _scalar(node):
        return [str(node.value)]
    return [str(n.value) for n in sequence(node) if _scalar(n)]


def mapping(node) -> dict:
    import yaml

    if not isinstance(node, yaml.MappingNode):
        return {}
    return {k.value: v for k, v in node.value if isinstance(k, yaml.ScalarNode)}


def service_mapping(node) -> dict:
    """A service's keys, with those a YAML merge key (`<<: *defaults`) brings in where not set."""
    import yaml

    keys = mapping(node)
    merged = keys.pop("<<", None)
    sources = [merged] if isinstance(merged, yaml.MappingNode) else sequence(merged)
    for source in sources:
        for key, value in service_mapping(source).items():
            keys.setdefault(key, value)
    return keys


def mapping_items(node) -> list:
    import yaml

    return [(k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode)] \
        if isinstance(node, yaml.MappingNode) else []


def sequence(node) -> list:
    import yaml

    return list(node.value) if isinstance(node, yaml.SequenceNode) else []
