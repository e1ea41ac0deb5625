"""blake2b, the one hash gwlint uses (parse-cache keys, the fix loop's tree states).

`import hashlib` initialises OpenSSL: ~11 M instructions, 7% of a 1-site run, for a function it
takes from CPython's built-in `_blake2` anyway (hashlib.blake2b is _blake2.blake2b).
"""

try:
    from _blake2 import blake2b
except ImportError:  # an interpreter without CPython's built-in module
    from hashlib import blake2b

__all__ = ["blake2b"]
