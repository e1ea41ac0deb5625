"""Which `location` nginx picks for a URI (ngx_http_core_find_location), in one place.

An exact `=` match wins; else the longest prefix, final when it is `^~` or when one of its nested
locations is an exact or regex match; else the first regex location in file order (with its own
nested ones); else that prefix. A modifier may be glued to its pattern (`location ~\\.php$`, as
nginx accepts); PCRE's `(?<name>...)` is read as Python's `(?P<name>...)`; a pattern Python's `re`
cannot read matches nothing (no claim either way). The model (routes, hops, the FastCGI rules) and
`gwlint doctor`'s router all use this.
"""

import re

from gwlint.load.nginx import Directive

_PCRE_NAMED = r"\(\?<(?=[A-Za-z_])"  # compiled on first use (re caches it): few locations name groups


def location_kind(location: Directive) -> tuple[str, str]:
    """(modifier, pattern) of a `location`: modifier "=", "^~", "~", "~*", "@" (named) or "" (prefix)."""
    args = location.args
    if len(args) >= 2 and args[0] in ("=", "~", "~*", "^~"):
        return args[0], args[1]
    arg = args[0] if args else ""
    if arg.startswith("@"):
        return "@", arg
    for modifier in ("~*", "^~", "~", "="):
        if arg.startswith(modifier) and len(arg) > len(modifier):
            return modifier, arg[len(modifier):]
    return "", arg


def regex_matches(pattern: str, modifier: str, text: str) -> bool:
    """Whether a PCRE `pattern` (case-insensitive for `~*`) matches somewhere in `text`."""
    try:
        named = re.sub(_PCRE_NAMED, "(?P<", pattern) if "(?<" in pattern else pattern
        regex = re.compile(named, re.IGNORECASE if modifier == "~*" else 0)
    except re.error:
        return False
    return regex.search(text) is not None


def location_matches(location: Directive, uri: str) -> bool:
    """Whether a `location` block's own pattern matches `uri` (a named location matches none)."""
    if not location.args:
        return False
    modifier, pattern = location_kind(location)
    if modifier == "=":
        return uri == pattern
    if modifier in ("~", "~*"):
        return regex_matches(pattern, modifier, uri)
    return modifier != "@" and uri.startswith(pattern)


def select_location(block: Directive, uri: str) -> Directive | None:
    """The location nginx picks for `uri` among those of `block` (a server or a location)."""
    best: tuple[str, str, Directive] | None = None
    regexes: list[tuple[str, str, Directive]] = []
    for location in block.children("location"):
        if not location.args:
            continue
        modifier, pattern = location_kind(location)
        if modifier == "=":
            if pattern == uri:
                return location
        elif modifier in ("~", "~*"):
            regexes.append((modifier, pattern, location))
        elif modifier != "@" and uri.startswith(pattern) and (best is None or len(pattern) > len(best[1])):
            best = (modifier, pattern, location)
    nested = select_location(best[2], uri) if best is not None else None
    if best is not None and (best[0] == "^~" or (nested is not None and location_kind(nested)[0] in ("=", "~", "~*"))):
        return nested or best[2]
    for modifier, pattern, location in regexes:
        if regex_matches(pattern, modifier, uri):
            return select_location(location, uri) or location
    return nested or (best[2] if best is not None else None)
