"""Every fixture's fixes, as `gwlint check --diff` prints them, compared with the diff kept for it.

tests/expected/<fixture>.diff holds `--diff` (safe fixes), tests/expected/<fixture>.unsafe.diff
`--diff --unsafe-fixes` where that differs; a fixture without a file must produce no diff. So a
fix that vanishes, moves or changes its text fails here. After an intended change, regenerate with
`GWLINT_UPDATE_EXPECTED=1 .venv/bin/python -m pytest tests/test_fixture_diffs.py` and review
`git diff tests/expected/`.
"""

import os
from pathlib import Path

import pytest
from conftest import FIXTURES, gwlint

EXPECTED = Path(__file__).resolve().parent / "expected"
UPDATE = os.environ.get("GWLINT_UPDATE_EXPECTED") == "1"
NAMES = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())


def _diff(name: str, *flags: str) -> str:
    """`gwlint check --diff` run from inside the fixture, so that paths are the tree's own."""
    here = os.getcwd()
    os.chdir(FIXTURES / name)
    try:
        result = gwlint("check", "--diff", *flags)
    finally:
        os.chdir(here)
    assert result.exit_code in (0, 1), result.output
    return result.stdout


def _compare(path: Path, got: str, fallback: str = "") -> None:
    """`got` must equal the file at `path` (or `fallback` when there is none); UPDATE rewrites it."""
    if UPDATE:
        if got and got != fallback:
            path.write_text(got)
        else:
            path.unlink(missing_ok=True)
        return
    want = path.read_text() if path.exists() else fallback
    assert got == want, f"{path.name} differs (regenerate with GWLINT_UPDATE_EXPECTED=1 and review)"


@pytest.mark.parametrize("name", NAMES)
def test_fixture_diff_is_the_kept_one(name):
    safe = _diff(name)
    _compare(EXPECTED / f"{name}.diff", safe)
    _compare(EXPECTED / f"{name}.unsafe.diff", _diff(name, "--unsafe-fixes"), fallback=safe)


def test_every_kept_diff_belongs_to_a_fixture():
    stale = [p.name for p in EXPECTED.glob("*.diff") if p.name.removesuffix(".diff").removesuffix(".unsafe")
             not in NAMES]
    assert stale == []


def test_the_kept_diffs_are_not_all_empty():
    """The comparison means something only if fixtures with fixes exist (and safe and unsafe ones)."""
    assert len(list(EXPECTED.glob("*.unsafe.diff"))) >= 3
    assert len([p for p in EXPECTED.glob("*.diff") if not p.name.endswith(".unsafe.diff")]) >= 10
