"""NearestEndpoint: the same answer as comparing all candidates, without comparing all of them."""

import difflib

from gwlint.model.endpoint import Endpoint
from gwlint.model.suggest import SHORTLIST, NearestEndpoint


def sockets(n: int) -> list[Endpoint]:
    return [Endpoint("unix", path=f"/run/php/php8.2-fpm-site{i:05d}.sock") for i in range(n)]


def brute_force(wanted: Endpoint, candidates: list[Endpoint]) -> Endpoint:
    return max(candidates, key=lambda c: difflib.SequenceMatcher(None, str(wanted), str(c)).ratio())


def test_many_candidates_find_the_version_typo():
    candidates = sockets(2000)
    nearest = NearestEndpoint(candidates)
    for i in (0, 7, 1000, 1999):
        wanted = Endpoint("unix", path=f"/run/php/php8.1-fpm-site{i:05d}.sock")
        assert nearest(wanted) == candidates[i] == brute_force(wanted, candidates)


def test_few_candidates_compare_all():
    candidates = sockets(SHORTLIST) + [Endpoint("tcp", host="127.0.0.1", port=9000)]
    wanted = Endpoint("unix", path="/run/php/php-fpm.sock")
    assert NearestEndpoint(candidates)(wanted) == brute_force(wanted, candidates[:SHORTLIST])


def test_tcp_prefers_the_same_port():
    candidates = sockets(3) + [Endpoint("tcp", host="10.0.0.5", port=9000), Endpoint("tcp", host="127.0.0.1", port=9001)]
    assert NearestEndpoint(candidates)(Endpoint("tcp", host="127.0.0.1", port=9000)) == candidates[3]
