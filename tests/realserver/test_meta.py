"""The real-server table stays complete: every rule that claims a status has cases, keyed by its code.

Runs without servers: it only reads rule docstrings, the table and the fixtures.
"""

import re
import shutil
from pathlib import Path

import pytest

from gwlint.engine.registry import load_rules
from gwlint.testing import lint_tree
from realserver.cases import NOT_REPRODUCED, REALSERVER_CASES, all_cases

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
_STATUS = re.compile(r"\b(5\d\d|4\d\d(?= [A-Z]))\b")  # any 5xx; a 4xx with its reason phrase


_NO_START = re.compile(r"(?i)\b(?:refuses\s+to\s+start|will\s+not\s+start|won't\s+start|does\s+not\s+start|"
                       r"fails\s+to\s+start)\b")


def claimed_statuses(doc: str) -> set[int | None]:
    """What a rule's docstring predicts: HTTP statuses (502 Bad Gateway, 504, 413 Request Entity
    Too Large, ...), None for a server that refuses to start."""
    return {int(s) for s in _STATUS.findall(doc)} | ({None} if _NO_START.search(doc) else set())


def test_claimed_statuses_reads_docstrings():
    assert claimed_statuses("every request gets **502 Bad Gateway**; later 504 Gateway Timeout") == {502, 504}
    assert claimed_statuses("pm.max_children = 5000 is fine, port 9000") == set()
    assert claimed_statuses("get **413 Request Entity Too Large**; try_files $uri =404;") == {413}
    assert claimed_statuses("php-fpm refuses to start: `please specify user and group`") == {None}


def test_every_rule_that_claims_a_status_has_real_server_cases():
    missing = [rule.code for rule in load_rules() if claimed_statuses(rule.doc)
               and rule.code not in REALSERVER_CASES and rule.code not in NOT_REPRODUCED]
    assert not missing, f"rules claiming a status with no entry in REALSERVER_CASES (or NOT_REPRODUCED): {missing}"


def test_not_reproduced_only_exempts_rules_that_claim_a_status_and_have_no_case():
    claims = {rule.code for rule in load_rules() if claimed_statuses(rule.doc)}
    for code, reason in NOT_REPRODUCED.items():
        assert code in claims and code not in REALSERVER_CASES, code
        assert len(reason) > 40, f"{code}: say why its status cannot be shown here"


def test_each_rule_is_proven_on_a_status_it_claims():
    for rule in load_rules():
        if rule.code in REALSERVER_CASES:
            observed = {case.status for case in REALSERVER_CASES[rule.code]}
            assert observed & claimed_statuses(rule.doc), f"{rule.code}: cases observe {observed}, doc claims " \
                                                          f"{claimed_statuses(rule.doc)}"


def test_keys_are_rule_codes_or_pending():
    codes = {rule.code for rule in load_rules()}
    assert [k for k in REALSERVER_CASES if k not in codes and not k.startswith("pending:")] == []


@pytest.mark.parametrize(("key", "case"), all_cases(), ids=[f"{k}-{c.id}" for k, c in all_cases()])
def test_rule_flags_its_case_and_the_fix_clears_it(key, case, tmp_path):
    tree = tmp_path / "tree"
    shutil.copytree(FIXTURES / case.fixture, tree, symlinks=True)
    found = lint_tree(tree)
    if key.startswith("pending:"):
        assert found.codes() == [], f"{found.codes()} flag {case.fixture}: key its case by that code"
        return
    assert set(found.codes()) == {key, *case.also}, f"{case.fixture}: list other rules that flag it in `also`"
    for rel, old, new in case.manual_fix:
        (tree / rel).write_text((tree / rel).read_text().replace(old, new, 1))
    after = lint_tree(tree) if case.manual_fix else found.relint(unsafe=case.unsafe_fix)
    assert not {key, *case.also} & set(after.codes()), after.codes()


def test_readme_table_lists_every_case():
    readme = (FIXTURES.parent / "README.md").read_text()
    section = readme[readme.index("## Proof against real servers"):]
    rows = [f"| {key} | {case.fixture} |" for key, case in all_cases()]
    assert not [r for r in rows if r not in section], "add these cases to the README's real-server table"
    rows = [f"| {code} | {reason} |" for code, reason in NOT_REPRODUCED.items()]
    assert not [r for r in rows if r not in section], "add these rows to the README's not-reproduced table"
