"""Nearest-match suggestions ("did you mean") between endpoints and names."""

from gwlint.model.endpoint import Endpoint

SHORTLIST = 64  # above this many candidates, compare only the textual neighbours (see NearestEndpoint)


class NearestEndpoint:
    """Finds the candidate most like an endpoint; built once, asked once per mismatch.

    Same kind first, then the same TCP port, then the closest text (difflib ratio). With more
    than SHORTLIST candidates, comparing against all of them for every mismatch would be
    quadratic on large trees, so only the neighbours in sorted order (longest shared prefix) and
    in reversed-sorted order (longest shared suffix) are compared.
    """

    def __init__(self, candidates: list[Endpoint]):
        self.candidates = candidates
        self._by_kind: dict[str, list[Endpoint]] = {}
        for c in candidates:
            self._by_kind.setdefault(c.kind, []).append(c)
        self._sorted: dict[str, tuple[list, list]] = {}

    def __call__(self, wanted: Endpoint, rank=None) -> Endpoint | None:
        """The best candidate; `rank(candidate)` (a tuple, higher first) goes before likeness."""
        rank = rank or (lambda c: ())
        same_kind = self._by_kind.get(wanted.kind) or self.candidates
        if wanted.kind == "tcp":
            same_port = [c for c in same_kind if c.port == wanted.port]
            if same_port:
                return max(same_port, key=rank)  # max keeps the first of equals
        import difflib  # only when something is mismatched

        text = str(wanted)
        pool = same_kind if len(same_kind) <= SHORTLIST else self._shortlist(wanted.kind, same_kind, text)
        return max(pool, key=lambda c: (rank(c), difflib.SequenceMatcher(None, text, str(c)).ratio()), default=None)

    def _shortlist(self, kind: str, same_kind: list[Endpoint], text: str) -> list[Endpoint]:
        from bisect import bisect_left  # (~0.7 M instructions: only a large tree with a mismatch gets here)

        if kind not in self._sorted:
            order = {id(c): i for i, c in enumerate(same_kind)}
            fwd = sorted((str(c), order[id(c)], c) for c in same_kind)
            rev = sorted((str(c)[::-1], order[id(c)], c) for c in same_kind)
            self._sorted[kind] = (fwd, rev)
        picked: dict[int, Endpoint] = {}
        half = 4  # neighbours on each side in each order: at most 16 exact comparisons
        for table, key in zip(self._sorted[kind], (text, text[::-1]), strict=True):
            at = bisect_left(table, (key,))
            for _, index, c in table[max(0, at - half): at + half]:
                picked[index] = c
        return [picked[i] for i in sorted(picked)]  # candidate order: ties go to the first, as before


def nearest_name(wanted: str, names: list[str]) -> str | None:
    """The name closest to `wanted`, if any is close enough to be a typo."""
    import difflib

    matches = difflib.get_close_matches(wanted, names, n=1, cutoff=0.6)
    return matches[0] if matches else None
