"""Whether a tree laid out like `/` evidently holds the application a document root names.

Config-only repos almost never hold /var/www, so a missing document root is judged only when the
tree shows the application around it: the nearest directory above the root that the tree holds
is at least two levels deep (/var/www, /srv/app; never /, /var or /srv) and has a `.php` file
within a few levels. Anything at the root's own path (a directory, a file, a dangling symlink
such as a deploy tool's `current`) means the tree does not say it is missing.
"""

from gwlint.load.fsroot import Root, clean, join, parts_below
from gwlint.records import Record

SCAN_DEPTH = 3  # directory levels below the ancestor searched for a .php file
SCAN_ENTRIES = 2000  # entries read at most: the live / may hold a large /var/www


class MissingDir(Record):
    """`path` is missing from a tree that holds `ancestor` (both absolute, as the server sees them)
    with the PHP file `sample` in it."""

    __slots__ = ("ancestor", "path", "sample")

    def __init__(self, path: str, ancestor: str, sample: str) -> None:
        self.path = path
        self.ancestor = ancestor
        self.sample = sample


def missing_app_dir(root: Root, path: str) -> MissingDir | None:
    """`path` (absolute) as missing, when the tree evidently holds the application around it."""
    parts = parts_below(path, "/") or []
    rel = "/".join(parts)
    if ".." in parts or root.lexists(rel) or root.is_dir(join(root.path, rel)):
        return None
    for depth in range(len(parts) - 1, 1, -1):
        here = "/".join(parts[:depth])
        if root.is_dir(join(root.path, here)):
            sample = root.find_file(here, ".php", SCAN_DEPTH, SCAN_ENTRIES)
            if sample is None:
                return None
            return MissingDir(clean(path), f"/{here}", f"/{here}/{sample}")
        if root.lexists(here):
            return None  # a file or a dangling link: not the tree's to judge
    return None
