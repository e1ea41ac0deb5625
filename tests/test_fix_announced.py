"""A finding that announces a fix produces it: over every fixture, each fix (safe or unsafe) has
edits, applying them alone changes the tree, and the fix loop (`--diff`, with `--unsafe-fixes` for
unsafe ones) leaves a non-empty diff whenever a finding announces a fix."""

import shutil

import pytest
from conftest import FIXTURES

from gwlint.fix.loop import apply_edits
from gwlint.testing import lint_tree

NAMES = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())


def _empty_fixes(root):
    r = lint_tree(root)
    for unsafe in (False, True):
        if any(f.fix is not None and (f.fix.safe or unsafe) for f in r.findings) and not r.fixed(unsafe).changed:
            yield f"findings announce {'unsafe' if unsafe else 'safe'} fixes but the fix loop changes nothing"
    for finding in r.findings:
        if finding.fix is None:
            continue
        texts = {}
        for edit in finding.fix.edits:
            texts.setdefault(edit.path, []).append(edit)
        changed = [rel for rel, edits in texts.items()
                   if apply_edits((root / rel).read_text(), edits) != (root / rel).read_text()]
        if not changed:
            yield f"{finding.path}:{finding.line}: {finding.code} announces '{finding.fix.title}' but changes nothing"


@pytest.mark.parametrize("name", NAMES)
def test_every_announced_fix_changes_the_tree(name, tmp_path):
    root = tmp_path / name
    shutil.copytree(FIXTURES / name, root, symlinks=True)
    assert list(_empty_fixes(root)) == []
