"""Edit helpers: minimal line edits that keep indentation, quoting and trailing comments.

Each helper returns a Fix, or None when the line cannot be edited safely (several directives
on one line, a directive spanning lines). Edits inside an include shared by several sites are
made unsafe: they change every site that includes the file.
"""

import re

from gwlint.endpoint import Endpoint
from gwlint.finding import Edit, Fix

_NEEDS_QUOTES = re.compile(r"[\s;{}#'\"]")
_KEY_VALUE = re.compile(r"^(\s*)([^=\s][^=]*?)(\s*=\s*)(.*?)(\s*(;.*)?)$")


def file_lines(ws, rel: str) -> list[str]:
    """The lines of a linted file (no line endings), read through the root's cache."""
    return ws.root.read_text(ws.root.path / rel).splitlines()


def quote(value: str) -> str:
    return f'"{value}"' if not value or _NEEDS_QUOTES.search(value) else value


def is_shared(ws, directive) -> bool:
    """True when the directive's file is included from more than one place."""
    return directive.via is not None and ws.include_count(directive.path) > 1


def _single_line(ws, directive) -> str | None:
    """The directive's line text when the directive is alone on one line, else None."""
    parsed = ws.nginx_files.get(directive.path)
    if parsed is None or directive.line != directive.end_line or directive.line in parsed.crowded_lines:
        return None
    return file_lines(ws, directive.path)[directive.line - 1]


def set_args(ws, directive, args: list[str], title: str, safe: bool = True) -> Fix | None:
    """Rewrite a directive's arguments in place, keeping its indentation and trailing comment."""
    text = _single_line(ws, directive)
    if text is None or directive.block is not None:
        return None
    semi = _terminator_index(text)
    if semi is None:
        return None
    indent = text[: len(text) - len(text.lstrip())]
    quoted = [quote(a) if i >= len(directive.args) or a != directive.args[i] or not directive.quoted[i]
              else f'"{a}"' for i, a in enumerate(args)]
    new = f"{indent}{directive.name} {' '.join(quoted)}{text[semi:]}"
    return Fix(title, (Edit(directive.path, directive.line, directive.line, (new,)),),
               safe and not is_shared(ws, directive))


def _terminator_index(text: str) -> int | None:
    """Index of the `;` ending the directive on this line (outside quotes)."""
    quote_char = None
    for i, ch in enumerate(text):
        if quote_char:
            if ch == "\\":
                continue
            if ch == quote_char:
                quote_char = None
        elif ch in "\"'":
            quote_char = ch
        elif ch == ";":
            return i
        elif ch == "#":
            return None
    return None


def insert_directive(ws, block, name: str, args: list[str], title: str, safe: bool = True) -> Fix | None:
    """Insert `name args;` as the first directive of `block`, indented like its children."""
    parsed = ws.nginx_files.get(block.path)
    if parsed is None or block.end_line in parsed.crowded_lines or block.block is None:
        return None
    lines = file_lines(ws, block.path)
    opener = lines[block.end_line - 1]
    if not opener.rstrip().endswith("{"):
        return None
    first = next((d for d in block.block if d.path == block.path), None)
    if first is not None:
        child = lines[first.line - 1]
        indent = child[: len(child) - len(child.lstrip())]
    else:
        indent = opener[: len(opener) - len(opener.lstrip())] + "    "
    new = f"{indent}{name} {' '.join(quote(a) for a in args)};"
    at = block.end_line + 1
    return Fix(title, (Edit(block.path, at, at - 1, (new,)),), safe and not is_shared(ws, block))


def remove_directive(ws, directive, title: str, safe: bool = True) -> Fix | None:
    """Delete a directive that sits alone on its line."""
    if _single_line(ws, directive) is None or directive.block is not None:
        return None
    return Fix(title, (Edit(directive.path, directive.line, directive.line, ()),),
               safe and not is_shared(ws, directive))


def pass_target_text(old: Endpoint, new: Endpoint) -> str:
    """How to write `new` in a *_pass directive that used to point at `old`."""
    if new.kind == "unix":
        return f"unix:{new.path}"
    host = new.host if not new.is_wildcard else (old.host if old.kind == "tcp" else "127.0.0.1")
    if host and ":" in host:
        host = f"[{host}]"
    return f"{host}:{new.port}"


def retarget_pass(ws, directive, old: Endpoint, new: Endpoint, safe: bool) -> Fix | None:
    """Point a *_pass (or upstream `server`) line at `new`, keeping its other arguments."""
    text = pass_target_text(old, new)
    return set_args(ws, directive, [text, *directive.args[1:]], f"point {directive.name} at {text}", safe)


def set_ini(ws, pool, key: str, value: str, title: str, safe: bool = True) -> Fix | None:
    """Set `key = value` in a pool: rewrite its last assignment, or add it after the pool's last line."""
    setting = pool.get(key)
    if setting is not None:
        line = file_lines(ws, setting.path)[setting.line - 1]
        m = _KEY_VALUE.match(line)
        if m is None:
            return None
        new = f"{m.group(1)}{m.group(2)}{m.group(3)}{value}{m.group(5)}"
        return Fix(title, (Edit(setting.path, setting.line, setting.line, (new,)),), safe)
    lines_here = [s for s in pool.settings.values() if s.path == pool.path]
    anchor = max((s.line for s in lines_here), default=pool.line)
    style = " = "
    if lines_here:
        sample = _KEY_VALUE.match(file_lines(ws, pool.path)[lines_here[0].line - 1])
        style = sample.group(3) if sample else style
    new = f"{key}{style}{value}"
    return Fix(title, (Edit(pool.path, anchor + 1, anchor, (new,)),), safe)


def set_inis(ws, pool, values: dict[str, str], title: str, safe: bool = True) -> Fix | None:
    """Set several keys of a pool in one fix; new keys are added together, in the given order."""
    edits: list[Edit] = []
    for key, value in values.items():
        fix = set_ini(ws, pool, key, value, title, safe)
        if fix is None:
            return None
        (edit,) = fix.edits
        previous = edits[-1] if edits else None
        if previous and edit.end < edit.start and (previous.path, previous.start, previous.end) == \
                (edit.path, edit.start, edit.end):
            edits[-1] = Edit(edit.path, edit.start, edit.end, previous.lines + edit.lines)
        else:
            edits.append(edit)
    return Fix(title, tuple(edits), safe) if edits else None
