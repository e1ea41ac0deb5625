"""Which trees a ROOT holds: itself when laid out like / (or an nginx dir, or a compose project),
else every such tree found under it (a repo of several hosts: one model each)."""

import os

from gwlint.load.discover import COMPOSE_NAMES, POOL_DIR_NAMES, is_system_layout
from gwlint.load.fsroot import clean, path_order

# never searched for roots: VCS, dependencies, caches, virtualenvs (and every hidden directory)
SKIP = frozenset({"node_modules", "vendor", "__pycache__", "site-packages", "dist-packages"})


def _marks_root(path: str, names: set[str]) -> bool:
    return is_system_layout(path) or "nginx.conf" in names or bool(names & COMPOSE_NAMES)


def find_roots(top: str) -> list[str]:
    """The roots to lint under `top`, each linted as its own model.

    `top` itself when it is laid out like `/`, holds an nginx.conf or a compose file at its top.
    Otherwise the directories below that do (a found root is not searched further), skipping
    hidden directories, `node_modules`, `vendor` and caches. A tree with FPM configs outside every
    root found and no `/`-like root (`nginx/` and `php/` side by side) is one project: `top`.
    """
    try:
        names = set(os.listdir(top))
    except OSError:
        return [top]
    if _marks_root(top, names):
        return [top]
    roots: list[str] = []
    loose_fpm = False
    for here, dirnames, filenames in os.walk(top):
        if here != top and _marks_root(here, set(filenames) | set(dirnames)):
            roots.append(clean(here))  # (as --root spells it: ./deploy is deploy)
            dirnames[:] = []
            continue
        if "php-fpm.conf" in filenames or os.path.basename(here) in POOL_DIR_NAMES:
            loose_fpm = True
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in SKIP)
    if loose_fpm and not any(is_system_layout(r) for r in roots):
        return [top]
    return sorted(roots, key=path_order) or [top]


def prefix_of(root: str, top: str) -> str:
    """`root` relative to `top`, POSIX style, "" for top itself: what findings of `root` start with."""
    rel = os.path.relpath(os.path.abspath(root), os.path.abspath(top))
    return "" if rel == "." else rel


def rebase(findings: list, prefix: str) -> list:
    """Findings of a root found under ROOT, with paths (related, fix edits) relative to ROOT."""
    if not prefix:
        return findings
    def join(path: str) -> str:
        return f"{prefix}/{path}" if path else path

    for f in findings:
        f.path = join(f.path)
        f.related = [r.replace(path=join(r.path)) for r in f.related]
        if f.fix is not None:
            f.fix = f.fix.replace(edits=tuple(e.replace(path=join(e.path)) for e in f.fix.edits))
    return findings
