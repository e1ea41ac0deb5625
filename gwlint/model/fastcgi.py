"""What a PHP route sends to php-fpm: its FastCGI params.

nginx's `fastcgi_param` is array-like: the innermost level (location, server, http) that defines
any param defines them all; an `include` is spliced in place, so a file that could not be read
(GW901) leaves the params of its level unknown.
"""

from functools import lru_cache

from gwlint.load.nginx import Directive

# php-fpm's built-in `security.limit_extensions` (fpm_conf.c; Debian's www.conf comment shows another list)
DEFAULT_LIMIT_EXTENSIONS = (".php", ".phar")


@lru_cache(maxsize=4096)  # http{} holds every server: look through it once, not once per route
def _unresolved_include(block: Directive) -> Directive | None:
    """An `include` in `block` that brought nothing in (missing, unreadable, or empty)."""
    includes = block.children("include")
    if not includes:
        return None
    spliced = {id(d.via) for d in block.block or () if d.via is not None}
    return next((d for d in includes if id(d) not in spliced), None)


def fastcgi_params(block: Directive | None) -> tuple[list[Directive], bool]:
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


def param(params: list[Directive], name: str) -> Directive | None:
    """The last `fastcgi_param name` of `params` (the one php-fpm reads)."""
    found = [d for d in params if d.args and d.args[0] == name]
    return found[-1] if found else None
