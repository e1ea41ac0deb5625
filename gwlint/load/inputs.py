"""What a run lints: a tree, one nginx file in a context, or `nginx -T`/`php-fpm -tt` dumps."""

import os

from gwlint.errors import InputError
from gwlint.records import Record


class Inputs(Record):
    """A root and the entry files in it (none: discover); `overlay` holds virtual files."""

    __slots__ = ("fpm", "nginx", "overlay", "php_ini", "root", "shown")

    def __init__(self, root: "str | os.PathLike[str]", nginx: list[str] | None = None, fpm: list[str] | None = None,
                 php_ini: list[str] | None = None, overlay: dict[str, str] | None = None,
                 shown: "str | os.PathLike[str]" = ".") -> None:
        self.root = os.fspath(root)
        self.nginx = [] if nginx is None else nginx
        self.fpm = [] if fpm is None else fpm
        self.php_ini = [] if php_ini is None else php_ini
        self.overlay = {} if overlay is None else overlay
        self.shown = os.fspath(shown)  # the root output names: ROOT, the FILE, or / for dumps


def _absolute(paths: list[str]) -> list[str]:
    return [os.path.abspath(p) for p in paths]


def tree_inputs(root: str, nginx: list[str], fpm: list[str], php_ini: list[str]) -> Inputs:
    return Inputs(root, _absolute(nginx), _absolute(fpm), _absolute(php_ini), shown=root)


def file_inputs(path: str, context: str | None) -> Inputs:
    """One nginx file, linted inside a synthetic `context` (guessed from its directives if None).

    The root is the nginx config dir the file sits in (an ancestor holding nginx.conf: relative
    includes resolve there, as in nginx), else the file's directory, so that discovery, which
    still looks for FPM configs, only walks that directory.
    """
    from gwlint.load.fsroot import Root
    from gwlint.load.snippet import guess_context, nginx_prefix, wrap

    if not os.path.isfile(path):
        raise InputError("--context needs one nginx file, not a directory", path)
    shown, path = path, os.path.abspath(path)
    root = nginx_prefix(path) or os.path.dirname(path)
    if context is None:
        rel = os.path.relpath(path, root)
        context = guess_context(Root(root).read_text(path), rel)
    entry, overlay = wrap(path, root, context)
    return Inputs(root, [entry], overlay=overlay, shown=shown)
