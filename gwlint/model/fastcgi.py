"""What a PHP route sends to php-fpm: its FastCGI params, and which locations a URI selects.

nginx's `fastcgi_param` is array-like: the innermost level (location, server, http) that defines
any param defines them all; an `include` is spliced in place, so a file that could not be read
(GW901) leaves the params of its level unknown.
"""

import re

from gwlint.load.nginx import Directive

# php-fpm's built-in `security.limit_extensions` (fpm_conf.c; Debian's www.conf comment shows another list)
DEFAULT_LIMIT_EXTENSIONS = (".php", ".phar")


def _unresolved_include(block: Directive) -> Directive | None:
    """An `include` in `block` that brought nothing in (missing, unreadable, or empty)."""
    children = block.block or ()
    spliced = {id(d.via) for d in children if d.via is not None}
    return next((d for d in children if d.name == "include" and id(d) not in spliced), None)


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


def location_matches(location: Directive, uri: str) -> bool:
    """Whether a `location` block's own pattern matches `uri` (modifiers as nginx reads them)."""
    args = location.args
    if not args:
        return False
    if len(args) == 1:
        modifier, pattern = "", args[0]
        if pattern.startswith("@"):
            return False
    else:
        modifier, pattern = args[0], args[1]
    if modifier == "=":
        return uri == pattern
    if modifier in ("~", "~*"):
        try:
            return re.search(pattern, uri, re.IGNORECASE if modifier == "~*" else 0) is not None
        except re.error:
            return False  # a PCRE construct Python's re does not know: no claim either way
    return uri.startswith(pattern)  # "" or "^~": a prefix


def select_location(server: Directive, uri: str) -> Directive | None:
    """The location nginx picks for `uri` in `server`: exact, then the longest prefix (final if
    `^~`), then the first matching regex in order (nested locations of the chosen prefix first),
    else that prefix."""
    return _select(server, uri)


def _select(block: Directive, uri: str) -> Directive | None:
    best: Directive | None = None
    regexes: list[Directive] = []
    for loc in block.children("location"):
        args = loc.args
        if len(args) == 2 and args[0] == "=":
            if args[1] == uri:
                return loc
        elif len(args) == 2 and args[0] in ("~", "~*"):
            regexes.append(loc)
        elif args and not args[-1].startswith("@") and uri.startswith(args[-1]) \
                and (best is None or len(args[-1]) > len(best.args[-1])):
            best = loc
    inner = _select(best, uri) if best is not None else None
    if best is not None and (best.args[0] == "^~" or _is_regex_or_exact(inner)):
        return inner or best
    for loc in regexes:
        if location_matches(loc, uri):
            return _select(loc, uri) or loc
    return inner or best


def _is_regex_or_exact(loc: Directive | None) -> bool:
    return loc is not None and len(loc.args) == 2 and loc.args[0] in ("~", "~*", "=")
