"""Whether a tree laid out like `/` evidently holds the application a document root names.

Config-only repos almost never hold /var/www, so a missing document root is judged only when the
tree shows the application around it: the nearest directory above the root that the tree holds
is at least two levels deep (/var/www, /srv/app; never /, /var or /srv) and has a `.php` file
within a few levels. Anything at the root's own path (a directory, a file, a dangling symlink
such as a deploy tool's `current`) means the tree does not say it is missing.
"""

import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from gwlint.load.fsroot import Root

SCAN_DEPTH = 3  # directory levels below the ancestor searched for a .php file
SCAN_ENTRIES = 2000  # entries read at most: the live / may hold a large /var/www


@dataclass(frozen=True, slots=True)
class MissingDir:
    """`path` is missing from a tree that holds `ancestor` (both absolute, as the server sees them)
    with the PHP file `sample` in it."""

    path: str
    ancestor: str
    sample: str


def missing_app_dir(root: Root, path: str) -> MissingDir | None:
    """`path` (absolute) as missing, when the tree evidently holds the application around it."""
    parts = PurePosixPath(path).parts[1:]
    if ".." in parts or os.path.lexists(root.path.joinpath(*parts)) or root.is_dir(root.path.joinpath(*parts)):
        return None
    for depth in range(len(parts) - 1, 1, -1):
        here = root.path.joinpath(*parts[:depth])
        if root.is_dir(here):
            sample = _php_file(root, here)
            if sample is None:
                return None
            ancestor = "/" + "/".join(parts[:depth])
            return MissingDir(str(PurePosixPath(path)), ancestor, f"{ancestor}/{sample}")
        if os.path.lexists(here):
            return None  # a file or a dangling link: not the tree's to judge
    return None


def _php_file(root: Root, top: Path) -> str | None:
    """A `.php` file within SCAN_DEPTH levels of `top` (relative to it), breadth first, by name."""
    resolved = root.resolve(top)
    if resolved is None:
        return None
    level, budget = [(resolved, "")], SCAN_ENTRIES
    for _ in range(SCAN_DEPTH + 1):
        below = []
        for directory, rel in level:
            try:
                entries = sorted(os.scandir(directory), key=lambda e: e.name)
            except OSError:
                continue
            budget -= len(entries)
            for entry in entries:
                name = f"{rel}{entry.name}"
                if entry.name.endswith(".php") and entry.is_file():
                    return name
                if entry.is_dir(follow_symlinks=False) and not entry.name.startswith("."):
                    below.append((Path(entry.path), name + "/"))
            if budget <= 0:
                return None
        level = below
    return None
