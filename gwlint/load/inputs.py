"""What a run lints: a tree, one nginx file in a context, or `nginx -T`/`php-fpm -tt` dumps."""

import os
from pathlib import Path

from gwlint.errors import InputError
from gwlint.records import Record


class Inputs(Record):
    """A root and the entry files in it (none: discover); `overlay` holds virtual files."""

    __slots__ = ("fpm", "nginx", "overlay", "php_ini", "root", "shown")

    def __init__(self, root: Path, nginx: list[Path] | None = None, fpm: list[Path] | None = None,
                 php_ini: list[Path] | None = None, overlay: dict[str, str] | None = None,
                 shown: Path = Path(".")) -> None:
        self.root = root
        self.nginx = [] if nginx is None else nginx
        self.fpm = [] if fpm is None else fpm
        self.php_ini = [] if php_ini is None else php_ini
        self.overlay = {} if overlay is None else overlay
        self.shown = shown  # the root output names: ROOT, the FILE, or / for dumps


def _absolute(paths: list[Path]) -> list[Path]:
    return [Path(os.path.abspath(p)) for p in paths]


def tree_inputs(root: Path, nginx: list[Path], fpm: list[Path], php_ini: list[Path]) -> Inputs:
    return Inputs(root, _absolute(nginx), _absolute(fpm), _absolute(php_ini), shown=root)


def file_inputs(path: Path, context: str | None) -> Inputs:
    """One nginx file, linted inside a synthetic `context` (guessed from its directives if None).

    The root is the nginx config dir the file sits in (an ancestor holding nginx.conf: relative
    includes resolve there, as in nginx), else the file's directory, so that discovery, which
    still looks for FPM configs, only walks that directory.
    """
    from gwlint.load.fsroot import Root
    from gwlint.load.snippet import guess_context, nginx_prefix, wrap

    if not path.is_file():
        raise InputError("--context needs one nginx file, not a directory", str(path))
    shown, path = path, Path(os.path.abspath(path))
    root = nginx_prefix(path) or path.parent
    if context is None:
        rel = path.relative_to(root).as_posix()
        context = guess_context(Root(root).read_text(path), rel)
    entry, overlay = wrap(path, root, context)
    return Inputs(root, [entry], overlay=overlay, shown=shown)
