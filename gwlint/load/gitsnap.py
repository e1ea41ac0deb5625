"""`--staged`: the commit being made, not the working tree.

The git index (what `git commit` will record) is checked out into a temp dir, and so is the
baseline it is compared with (HEAD); under `pre-commit run --from-ref A --to-ref B` (CI) the
tree of B against A's merge base. Untracked and unstaged files never count. The temp dirs are
removed when the run ends.
"""

import os
import subprocess
import tempfile
from contextlib import contextmanager

from gwlint.errors import InputError
from gwlint.records import Record


class Snapshot(Record):
    __slots__ = ("baseline", "changed", "root")

    def __init__(self, root: str, baseline: str | None, changed: set[str]) -> None:
        self.root = root  # ROOT inside the checked-out commit
        self.baseline = baseline  # ROOT inside the baseline (None: no earlier commit)
        self.changed = changed  # paths that changed, relative to ROOT (old and new names of renames)


def _git(top: str, *args: str, env: dict | None = None) -> str:
    try:
        run = subprocess.run(["git", *args], cwd=top, capture_output=True, text=True,
                             env={**os.environ, **(env or {})})
    except FileNotFoundError:
        raise InputError("--staged needs git on PATH") from None
    if run.returncode != 0:
        message = (run.stderr.strip().splitlines() or [f"git {args[0]} failed"])[-1]
        raise InputError(f"--staged: {message}")
    return run.stdout


def _export_index(top: str, dest: str, index: str | None = None) -> None:
    """Every file of the index (or of `index`, a temp index file) under `dest`."""
    env = {"GIT_INDEX_FILE": index} if index else None
    _git(top, "checkout-index", "--all", "--force", f"--prefix={dest}{os.sep}", env=env)


def _export_tree(top: str, ref: str, dest: str, scratch: str) -> None:
    index = os.path.join(scratch, f"{os.path.basename(dest)}.index")
    _git(top, "read-tree", ref, env={"GIT_INDEX_FILE": index})
    _export_index(top, dest, index)


def _names(out: str) -> set[str]:
    """Paths of `git diff --name-status -z` output: both names of a rename or copy."""
    fields = out.split("\0")
    names, i = set(), 0
    while i < len(fields) and fields[i]:
        status = fields[i]
        count = 2 if status[:1] in ("R", "C") else 1
        names.update(fields[i + 1:i + 1 + count])
        i += 1 + count
    return names


@contextmanager
def staged(root: str):
    """A Snapshot of the commit being made for ROOT `root` (inside a git work tree)."""
    here = os.path.abspath(root)
    if not os.path.isdir(here):
        raise InputError("no such directory", root)
    top = _git(here, "rev-parse", "--show-toplevel").strip()
    rel = os.path.relpath(here, top)
    if rel == ".." or rel.startswith(".." + os.sep):
        raise InputError("--staged: ROOT is outside the git work tree", root)
    from_ref, to_ref = os.environ.get("PRE_COMMIT_FROM_REF"), os.environ.get("PRE_COMMIT_TO_REF")
    with tempfile.TemporaryDirectory(prefix="gwlint-staged-") as scratch:
        target, base = os.path.join(scratch, "commit"), os.path.join(scratch, "baseline")
        base_ref: str | None
        if from_ref and to_ref:  # pre-commit run --from-ref/--to-ref: the pushed commits
            _export_tree(top, to_ref, target, scratch)
            base_ref = _git(top, "merge-base", from_ref, to_ref).strip()
            diff = _git(top, "diff", "--name-status", "-z", "-M", f"{base_ref}", to_ref)
        else:
            _export_index(top, target)
            head = subprocess.run(["git", "rev-parse", "--verify", "--quiet", "HEAD"], cwd=top,
                                  capture_output=True, text=True).stdout.strip()
            base_ref = head or None
            diff = _git(top, "diff", "--cached", "--name-status", "-z", "-M", head) if head else \
                "".join(f"A\0{p}\0" for p in _git(top, "ls-files", "-z").split("\0") if p)
        if base_ref:
            _export_tree(top, base_ref, base, scratch)
        prefix = "" if rel == "." else rel + "/"
        changed = {p[len(prefix):] for p in _names(diff) if p.startswith(prefix)}
        committed = os.path.normpath(os.path.join(target, rel))
        os.makedirs(committed, exist_ok=True)  # a commit may remove ROOT: nothing to lint
        baseline = os.path.normpath(os.path.join(base, rel)) if base_ref else None
        if baseline is not None and not os.path.isdir(baseline):
            baseline = None
        yield Snapshot(committed, baseline, changed)
