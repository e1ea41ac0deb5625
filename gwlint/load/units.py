"""Units of the three config languages: nginx times and sizes, FPM times, PHP shorthand sizes."""

import re

_NGINX_TIME_UNITS = {
    "ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "M": 2592000, "y": 31536000,
}
_NGINX_TIME_PART = re.compile(r"(\d+)(ms|s|m|h|d|w|M|y)?")
_NGINX_SIZE = re.compile(r"(\d+)([kKmMgG]?)")
_SIZE_FACTORS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


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


def nginx_bytes(value: str) -> int | None:
    """nginx size ("1m", "512k", "1024") in bytes; None when malformed."""
    m = _NGINX_SIZE.fullmatch(value.strip())
    return int(m.group(1)) * _SIZE_FACTORS[m.group(2).lower()] if m else None


def php_bytes(value: str) -> int | None:
    """PHP shorthand size ("8M", "2G", "128k", "-1") in bytes; None when malformed."""
    m = re.fullmatch(r"\s*(-?\d+)\s*([kKmMgG]?)\s*", value)
    return int(m.group(1)) * _SIZE_FACTORS[m.group(2).lower()] if m else None


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
