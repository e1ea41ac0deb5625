"""Where a backend listens or is reached: a unix socket path or a TCP host:port."""

from functools import lru_cache

from gwlint.records import Record

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})
ANY_ADDRESSES = frozenset({None, "0.0.0.0", "::", "*"})
_SCHEME_PORTS = {"http": 80, "https": 443, "grpc": 80, "grpcs": 443}


class Endpoint(Record):
    """A unix socket (`path`) or TCP endpoint (`host`, `port`); host None means every address."""

    __slots__ = ("host", "kind", "path", "port")

    def __init__(self, kind: str, path: str | None = None, host: str | None = None, port: int | None = None) -> None:
        self.kind = kind  # "unix" | "tcp"
        self.path = path
        self.host = host
        self.port = port

    def __str__(self) -> str:
        if self.kind == "unix":
            return f"unix:{self.path}"
        host = self.host or "*"
        if ":" in host:
            host = f"[{host}]"
        return f"{host}:{self.port}"

    @property
    def is_loopback(self) -> bool:
        """True when the host only accepts connections from this machine."""
        return self.kind == "tcp" and is_loopback_host(self.host)

    @property
    def is_wildcard(self) -> bool:
        """True for a TCP listen on every address (`9000`, `0.0.0.0:9000`, `[::]:9000`)."""
        return self.kind == "tcp" and self.host in ANY_ADDRESSES

    @property
    def in_tmp(self) -> bool:
        """True for a unix socket under /tmp or /var/tmp (which PrivateTmp= hides)."""
        return self.kind == "unix" and (self.path or "").startswith(("/tmp/", "/var/tmp/"))

    def accepts(self, target: "Endpoint") -> bool:
        """Whether a listener here certainly accepts a connection aimed at `target`."""
        if self.kind != target.kind:
            return False
        if self.kind == "unix":
            return self.path == target.path
        if self.port != target.port:
            return False
        if self.host in ANY_ADDRESSES or self.host == target.host:
            return True
        return target.host in LOOPBACK_NAMES and self.is_loopback


def is_ip(host: str | None) -> bool:
    """True for a literal IPv4 or IPv6 address (no brackets)."""
    import ipaddress  # (~6 M instructions: imported by the first address that needs it)

    try:
        ipaddress.ip_address(host or "")
        return True
    except ValueError:
        return False


def is_loopback_host(host: str | None) -> bool:
    """127.0.0.0/8, ::1 or a localhost name: the connection never leaves this machine."""
    if not host:
        return False
    if host.lower() in LOOPBACK_NAMES:
        return True
    import ipaddress

    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _split_host_port(text: str) -> tuple[str | None, str | None]:
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        return host, rest[1:] if rest.startswith(":") else None
    if text.count(":") == 1:
        host, _, port = text.partition(":")
        return host, port
    if text.count(":") > 1:  # bare IPv6 address without brackets
        return text, None
    return text, None


@lru_cache(maxsize=8192)  # pure (an Endpoint is frozen): every rule asks
def parse_fpm_listen(value: str) -> Endpoint | None:
    """An FPM `listen` value: `/path.sock`, `ip:port`, `[v6]:port` or a bare port (all addresses)."""
    value = value.strip()
    if not value or "${" in value:
        return None
    if value.startswith("/"):
        return Endpoint("unix", path=value)
    if value.isdigit():
        return Endpoint("tcp", port=int(value))
    host, port = _split_host_port(value)
    if port is None or not port.isdigit():
        return None
    return Endpoint("tcp", host=host or None, port=int(port))


class PassTarget(Record):
    """The parts of an nginx `*_pass` argument; `port` is None when the argument gives none."""

    __slots__ = ("host", "path", "port", "scheme")

    def __init__(self, scheme: str, host: str | None, port: int | None, path: str | None) -> None:
        self.scheme = scheme
        self.host = host
        self.port = port
        self.path = path  # unix socket path

    def endpoint(self) -> Endpoint | None:
        """The endpoint, with the scheme's default port; None when no port can be known."""
        if self.path is not None:
            return Endpoint("unix", path=self.path)
        port = self.port if self.port is not None else _SCHEME_PORTS.get(self.scheme)
        return Endpoint("tcp", host=self.host, port=port) if port is not None else None


def parse_pass_target(value: str) -> PassTarget | None:
    """Split `unix:/path`, `host:port`, `name` or `scheme://host[:port]/uri`; None with variables."""
    if "$" in value:
        return None
    scheme, sep, rest = value.partition("://")
    if not sep:
        scheme, rest = "", value
    scheme = scheme.lower()
    if rest.startswith("unix:"):
        path = rest[5:]
        if scheme:  # proxy_pass http://unix:/path:/uri
            path = path.split(":", 1)[0]
        return PassTarget(scheme, None, None, path)
    host, port = _split_host_port(rest.split("/", 1)[0])
    if port is not None and not port.isdigit():
        return None
    return PassTarget(scheme, host or None, int(port) if port else None, None)
