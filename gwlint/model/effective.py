"""Effective values with their source: what nginx, FPM and PHP actually use, and where it was set.

Each resolver returns a `Value` that knows the text as written, the number it means (seconds or
bytes), the Directive/Setting that set it (None for a built-in default) and how it got there, so
that rules can say "fastcgi_read_timeout 30s (etc/nginx/nginx.conf:14, inherited from http)".

PHP settings for a request are layered as php-fpm applies them: php.ini chain, pool `php_value`/
`php_flag`, pool `php_admin_value`/`php_admin_flag`, then per request nginx `fastcgi_param
PHP_VALUE` and `PHP_ADMIN_VALUE` ("k=v" lines), which php-fpm applies last.

What a PHP route sends to php-fpm, its FastCGI params (`fastcgi_params`): nginx's `fastcgi_param`
is array-like: the innermost level (location, server, http) that defines any param defines them
all; an `include` is spliced in place, so a file that could not be read (GW901) leaves the params
of its level unknown.
"""

from collections.abc import Callable
from functools import lru_cache

from gwlint.load.units import MEMORY_AT_START, nginx_bytes, nginx_seconds, php_bytes, php_int
from gwlint.records import Record

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~3 ms of start-up)
if TYPE_CHECKING:
    from gwlint.load.ini import Setting
    from gwlint.load.nginx import Directive

# PHP's built-in defaults (main.c / php.ini-development comments) for the keys rules read
PHP_DEFAULTS = {
    "max_execution_time": "30",
    "max_input_time": "-1",
    "memory_limit": "128M",
    "post_max_size": "8M",
    "upload_max_filesize": "2M",
}
PHP_PARSERS: dict[str, Callable[[str], float | None]] = {
    "max_execution_time": php_int,
    "max_input_time": php_int,
    "memory_limit": php_bytes,
    "post_max_size": php_bytes,
    "upload_max_filesize": php_bytes,
}
NGINX_DEFAULTS = {"client_max_body_size": "1m"}
# A read timeout below this cuts requests PHP itself considers ordinary (its default
# max_execution_time): timeout-chain findings are errors below it, warnings at or above it.
ORDINARY_REQUEST_SECONDS = 30  # every *_timeout rules read defaults to 60s
_TIME_FACTORS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class Value(Record):
    """One effective setting: `text` as written, `number` parsed (None when malformed)."""

    __slots__ = ("at", "how", "name", "number", "text")

    def __init__(self, name: str, text: str, number: float | None, at: "Directive | Setting | None",
                 how: str = "") -> None:
        self.name = name
        self.text = text
        self.number = number
        self.at = at  # what set it; None for a built-in default
        self.how = how  # "inherited from http", "pool 'www' php_admin_value", "PHP_VALUE"...

    @property
    def directive(self) -> "Directive | None":
        """The nginx directive that set this value; None for a default or an FPM/PHP setting."""
        from gwlint.load.nginx import Directive

        return self.at if isinstance(self.at, Directive) else None

    @property
    def source(self) -> str:
        if self.at is None:
            return "default"
        return f"{self.at.path}:{self.at.line}" + (f", {self.how}" if self.how else "")

    def __str__(self) -> str:
        return f"{self.name} {self.text} ({self.source})"


# nginx --------------------------------------------------------------------------------------
def nginx_value(block, name: str, default: str | None = None,
                parse: Callable[[str], float | None] | None = None) -> Value:
    """The `name` directive in effect in `block` (http -> server -> location inheritance)."""
    parse = parse or (nginx_bytes if name == "client_max_body_size" else nginx_seconds)
    default = default if default is not None else NGINX_DEFAULTS.get(name, "60s")
    directive = block.inherited(name) if block is not None else None
    if directive is None or not directive.args:
        return Value(name, default, parse(default), None)
    how = f"inherited from {directive.context}" if directive.parent is not block else ""
    text = " ".join(directive.args)
    return Value(name, text, parse(text), directive, how)


# FastCGI params ------------------------------------------------------------------------------
# php-fpm's built-in `security.limit_extensions` (fpm_conf.c; Debian's www.conf comment shows another list)
DEFAULT_LIMIT_EXTENSIONS = (".php", ".phar")


@lru_cache(maxsize=4096)  # http{} holds every server: look through it once, not once per route
def _unresolved_include(block: "Directive") -> "Directive | None":
    """An `include` in `block` that brought nothing in (missing, unreadable, or empty)."""
    includes = block.children("include")
    if not includes:
        return None
    spliced = {id(d.via) for d in block.block or () if d.via is not None}
    return next((d for d in includes if id(d) not in spliced), None)


def fastcgi_params(block: "Directive | None") -> tuple[list["Directive"], bool]:
    """The `fastcgi_param` directives in effect in `block`, and whether they are certain.

    Uncertain when an include at the level that defines them (or at any level passed on the way
    up) brought nothing in: the params it would have set are not in the tree.
    """
    node = block
    while node is not None:
        if _unresolved_include(node) is not None:
            return [], False
        found = node.children("fastcgi_param")
        if found:
            return found, True
        node = node.parent
    return [], True


def param(params: list["Directive"], name: str) -> "Directive | None":
    """The last `fastcgi_param name` of `params` (the one php-fpm reads)."""
    found = [d for d in params if d.args and d.args[0] == name]
    return found[-1] if found else None


@lru_cache(maxsize=4096)  # every PHP rule asks for the same locations: parse their params once
def php_params(block) -> dict[str, dict[str, tuple[str, "Directive"]]]:
    """nginx PHP_VALUE / PHP_ADMIN_VALUE in scope: {param: {ini key: (value, directive)}} (read only)."""
    out: dict[str, dict[str, tuple[str, Directive]]] = {"PHP_VALUE": {}, "PHP_ADMIN_VALUE": {}}
    if block is None:
        return out
    for param in block.inherited_all("fastcgi_param"):
        if len(param.args) < 2 or param.args[0] not in out:
            continue
        for line in param.args[1].replace("\\n", "\n").splitlines():
            key, eq, value = line.partition("=")
            if eq and key.strip():
                out[param.args[0]][key.strip()] = (value.strip().strip("\"'"), param)
    return out


# FPM and PHP --------------------------------------------------------------------------------
def _atoi(text: str) -> int:
    """C atoi: white space, a sign, then the digits that follow (0 without any). String tests, not
    a pattern: compiling one costs ~0.4 M instructions of every run."""
    rest = text.lstrip()
    sign = rest[:1] if rest[:1] in ("+", "-") else ""
    digits = rest[len(sign):]
    if not digits.isdecimal():  # text after the digits, or none: keep the digits before it
        digits = digits[:next((i for i, ch in enumerate(digits) if not ch.isdecimal()), len(digits))]
    return int(sign + digits) if digits else 0


@lru_cache(maxsize=8192)  # pure: a tree repeats its values
def fpm_time(value: str) -> tuple[int | None, str | None]:
    """(seconds, None) as php-fpm reads a time value (fpm_conf.c: atoi, then one suffix s/m/h/d), or
    (None, php-fpm's parse error): "1.5m" is 60s and "30ms" is 30s to php-fpm."""
    if not value:
        return None, "invalid time value"
    suffix = value[-1]
    if suffix in _TIME_FACTORS:
        return _atoi(value[:-1]) * _TIME_FACTORS[suffix], None
    if not suffix.isdigit():
        return None, "unknown suffix used in time value"
    return _atoi(value), None


def fpm_int(value: str) -> tuple[int | None, str | None]:
    """(value, None) as php-fpm reads an integer setting, or (None, its parse error)."""
    digits = value[1:] if value.startswith("-") else value
    if digits and not digits.isdecimal():  # `-?\d*`
        return None, "is not a valid number (greater or equal than zero)"
    return _atoi(value), None


def fpm_value(pool, key: str, default: str = "0") -> Value:
    """A pool time setting such as request_terminate_timeout (default 0 = off)."""
    setting = pool.get(key)
    if setting is None:
        return Value(key, default, fpm_time(default)[0], None)
    return Value(key, setting.value, fpm_time(setting.value)[0], setting, f"pool '{pool.name}'")


def php_value(pool, key: str, block=None) -> Value:
    """The PHP ini value a request through `block` (a location; optional) to `pool` runs with.

    A layer PHP refuses (a memory_limit below what PHP already uses, e.g. `128MB` = 128 bytes)
    leaves the one below it in effect, as PHP does."""
    for value in _php_layers(pool, key, block):
        if not (key == "memory_limit" and value.number is not None and value.number != -1
                and value.number < MEMORY_AT_START):
            return value
    default = PHP_DEFAULTS.get(key, "")
    return Value(key, default, PHP_PARSERS.get(key, php_int)(default), None)


def _php_layers(pool, key: str, block):
    """The values set for `key`, the one PHP applies last first: nginx's, the pool's, php.ini's."""
    parse = PHP_PARSERS.get(key, php_int)
    if block is not None:
        params = php_params(block)
        for param in ("PHP_ADMIN_VALUE", "PHP_VALUE"):
            if key in params[param]:
                text, directive = params[param][key]
                how = f"fastcgi_param {param}" + (f", inherited from {directive.context}"
                                                   if directive.parent is not block else "")
                yield Value(key, text, parse(text), directive, how)
    for kind in ("php_admin_value", "php_admin_flag", "php_value", "php_flag"):
        setting = pool.get(f"{kind}[{key}]")
        if setting is not None:
            yield Value(key, setting.value, parse(setting.value), setting, f"pool '{pool.name}' {kind}")
    setting = pool.install.php_ini.get(key)
    if setting is not None:
        yield Value(key, setting.value, parse(setting.value), setting)


def php_time_limit(pool, block=None) -> tuple[Value, Value, Value | None]:
    """(request_terminate_timeout, max_execution_time, the one that bounds the request or None)."""
    terminate = fpm_value(pool, "request_terminate_timeout")
    max_exec = php_value(pool, "max_execution_time", block)
    bound = terminate if terminate.number else (max_exec if max_exec.number and max_exec.number > 0 else None)
    return terminate, max_exec, bound


def timeout_cap(read_seconds: float | None):
    """The severity cap of a timeout-chain finding whose nginx side gives up after `read_seconds`:
    None (the rule's error) below ORDINARY_REQUEST_SECONDS, where ordinary slow pages hit it; a
    warning at or above it, where only requests longer than PHP's own default limit do."""
    from gwlint.engine.finding import Severity

    if read_seconds is not None and read_seconds < ORDINARY_REQUEST_SECONDS:
        return None
    return Severity.WARNING


def timeout_odds(read_seconds: float | None) -> str:
    """How likely a timeout-chain failure is, for the message."""
    if read_seconds is not None and read_seconds < ORDINARY_REQUEST_SECONDS:
        return f"below {ORDINARY_REQUEST_SECONDS}s, so ordinary slow pages hit it"
    return f"at least {ORDINARY_REQUEST_SECONDS}s, so only long requests hit it"
