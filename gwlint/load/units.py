"""Units of the three config languages: nginx times and sizes, FPM times, PHP shorthand sizes
(read as PHP reads them: php_quantity)."""

import re
from functools import lru_cache

_NGINX_TIME_UNITS = {
    "ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "M": 2592000, "y": 31536000,
}
_NGINX_TIME_PART = re.compile(r"(\d+)(ms|s|m|h|d|w|M|y)?")
_NGINX_SIZE = re.compile(r"(\d+)([kKmMgG]?)")
_SIZE_FACTORS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


@lru_cache(maxsize=8192)  # pure: a tree repeats its values
def nginx_seconds(value: str) -> float | None:
    """nginx time ("30", "30s", "1h 30m", "500ms") in seconds; None when malformed."""
    text = value.replace(" ", "")
    if not text:
        return None
    total, pos = 0.0, 0
    while pos < len(text):
        m = _NGINX_TIME_PART.match(text, pos)
        if not m:
            return None
        total += int(m.group(1)) * _NGINX_TIME_UNITS[m.group(2) or "s"]
        pos = m.end()
    return total


@lru_cache(maxsize=8192)  # pure: a tree repeats its values
def nginx_bytes(value: str) -> int | None:
    """nginx size ("1m", "512k", "1024") in bytes; None when malformed."""
    m = _NGINX_SIZE.fullmatch(value.strip())
    return int(m.group(1)) * _SIZE_FACTORS[m.group(2).lower()] if m else None


def size_bytes(value: str) -> int | None:
    """A size given to gwlint itself ("512M", "2G", "-1") in bytes; None when it is not one."""
    m = re.fullmatch(r"\s*(-?\d+)\s*([kKmMgG]?)\s*", value)
    return int(m.group(1)) * _SIZE_FACTORS[m.group(2).lower()] if m else None


def php_bytes(value: str) -> int | None:
    """PHP size ("8M", "2G", "128k", "-1") in bytes as PHP reads it (php_quantity: "10MB" is 10);
    None when the value comes from the environment (`${VAR}`)."""
    if "${" in value:
        return None
    return php_quantity(value)[0]


def php_int(value: str) -> int | None:
    """A PHP integer setting such as max_execution_time; None when malformed."""
    m = re.fullmatch(r"\s*(-?\d+)\s*", value)
    return int(m.group(1)) if m else None


def format_seconds(seconds: float) -> str:
    """Seconds as the shortest exact nginx/FPM time ("90s", "5m", "1h")."""
    if seconds != int(seconds):
        return f"{int(seconds * 1000)}ms"
    seconds = int(seconds)
    for unit, factor in (("h", 3600), ("m", 60)):
        if seconds and seconds % factor == 0:
            return f"{seconds // factor}{unit}"
    return f"{seconds}s"


# PHP's ini quantities ------------------------------------------------------------------------
_WHITESPACE = " \t\n\r\v\f"
MEMORY_AT_START = 2 << 20  # bytes PHP 8.2 already uses at start (php -n): a lower memory_limit is refused
_QUANTITY_FACTORS = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}
_LONG_MAX = (1 << 63) - 1
_ULONG_MAX = (1 << 64) - 1


def _strtoul(text: str, pos: int, base: int) -> tuple[int, int, bool]:
    """C strtoul from `pos` (no sign, no leading space): (value, end, overflowed)."""
    if base == 0:
        if text[pos:pos + 2].lower() == "0x" and pos + 2 < len(text) and text[pos + 2] in _HEX:
            base, pos = 16, pos + 2
        elif text[pos:pos + 1] == "0":
            base = 8
        else:
            base = 10
    elif base == 16 and text[pos:pos + 2].lower() == "0x" and pos + 2 < len(text) and text[pos + 2] in _HEX:
        pos += 2
    digits = "0123456789abcdef"[:base]
    end = pos
    while end < len(text) and text[end].lower() in digits:
        end += 1
    if end == pos:
        return 0, pos, False
    value = int(text[pos:end], base)
    return (min(value, _ULONG_MAX), end, value > _ULONG_MAX)


_HEX = frozenset("0123456789abcdefABCDEF")


@lru_cache(maxsize=8192)  # pure: a tree repeats its values
def php_quantity(value: str, php: str = "8.2") -> tuple[int, str | None]:
    """(bytes, PHP's warning or None) for an ini size such as memory_limit, as PHP `php` reads it.

    PHP >= 8.2: zend_ini_parse_quantity (Zend/zend_operators.c): leading/trailing whitespace
    ignored, a sign, 0x/0o/0b prefixes and a leading 0 for octal, one k/m/g multiplier taken from
    the last character, and a warning for anything else ("10MB" is 10 bytes). Older PHP: zend_atol,
    strtol base 10 then the last character as multiplier, silently ("10MB" is 10 bytes too).
    """
    if _version(php) < (8, 2):
        return _zend_atol(value), None
    value = value.encode("utf-8", "surrogateescape").decode("latin-1")  # PHP reads bytes: one char per byte
    shown = _escaped(value)
    start, end = 0, len(value)
    while start < end and value[start] in _WHITESPACE:
        start += 1
    while start < end and value[end - 1] in _WHITESPACE:
        end -= 1
    if start == end:
        return 0, None
    text = value[:end]
    digits, negative = start, False
    if text[digits] in "+-":
        negative = text[digits] == "-"
        digits += 1
    if digits >= end or not text[digits].isdigit():
        return 0, (f'Invalid quantity "{shown}": no valid leading digits, interpreting as "0" '
                   "for backwards compatibility")
    base = 0
    if text[digits] == "0" and (digits + 1 >= end or not text[digits + 1].isdigit()):
        if digits + 1 == end:
            return 0, None
        prefix = text[digits + 1]
        if prefix in "gGmMkK":
            base = 10
        elif prefix in "xXoObB":
            base = {"x": 16, "o": 8, "b": 2}[prefix.lower()]
            digits += 2
            if digits == end or text[digits] in "+-" + _WHITESPACE:
                return 0, (f'Invalid quantity "{shown}": no digits after base prefix, interpreting as "0" '
                           "for backwards compatibility")
        else:
            return 0, f'Invalid prefix "0{prefix}", interpreting as "0" for backwards compatibility'
    number, stop, overflow = _strtoul(text, digits, base)
    if overflow or number > _LONG_MAX + negative:
        wrapped = number - (1 << 64) if number > _LONG_MAX else number  # the unsigned result, read signed
        return wrapped, (f'Invalid quantity "{shown}": value is out of range, using overflow result '
                         "for backwards compatibility")
    if negative:
        number = -number
    while stop < end and text[stop] in _WHITESPACE:
        stop += 1
    if stop == end:
        return number, None
    interpreted, last = _escaped(value[:stop]), text[end - 1]
    factor = _QUANTITY_FACTORS.get(last) or _QUANTITY_FACTORS.get(last.lower() if last in "KMG" else "")
    last = _escaped(last)
    if factor is None:
        return number, (f'Invalid quantity "{shown}": unknown multiplier "{last}", interpreting as '
                        f'"{interpreted}" for backwards compatibility')
    number *= factor
    if stop != end - 1:
        return number, f'Invalid quantity "{shown}", interpreting as "{interpreted}{last}" for backwards compatibility'
    return number, None


def _escaped(text: str) -> str:
    """smart_str_append_escaped: control bytes, bytes above 126 and backslashes escaped."""
    names = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\f": "\\f", "\v": "\\v", "\\": "\\\\", "\x1b": "\\e"}
    return "".join(names.get(ch) or (ch if 32 <= ord(ch) < 127 else f"\\x{ord(ch):02X}") for ch in text)


def _zend_atol(value: str) -> int:
    m = re.match(r"\s*([-+]?\d+)", value)
    number = int(m.group(1)) if m else 0
    return number * _QUANTITY_FACTORS.get(value.rstrip()[-1:].lower(), 1) if value.strip() else 0


def _version(php: str) -> tuple[int, int]:
    m = re.match(r"(\d+)\.(\d+)", php)
    return (int(m.group(1)), int(m.group(2))) if m else (8, 2)
