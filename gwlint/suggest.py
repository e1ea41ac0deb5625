"""Nearest-match suggestions ("did you mean") between endpoints and names."""

import difflib

from gwlint.endpoint import Endpoint


def nearest_endpoint(wanted: Endpoint, candidates: list[Endpoint]) -> Endpoint | None:
    """The candidate most like `wanted`: same kind first, then same port, then the closest text."""
    same_kind = [c for c in candidates if c.kind == wanted.kind] or candidates
    if wanted.kind == "tcp":
        same_port = [c for c in same_kind if c.port == wanted.port]
        if same_port:
            return same_port[0]
    text = str(wanted)
    return max(same_kind, key=lambda c: difflib.SequenceMatcher(None, text, str(c)).ratio(), default=None)


def nearest_name(wanted: str, names: list[str]) -> str | None:
    """The name closest to `wanted`, if any is close enough to be a typo."""
    matches = difflib.get_close_matches(wanted, names, n=1, cutoff=0.6)
    return matches[0] if matches else None
