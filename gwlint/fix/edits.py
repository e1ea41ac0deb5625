"""Edit helpers: minimal line edits that keep indentation, quoting and trailing comments.

Each helper returns a Fix, or None when the line cannot be edited safely (several directives
on one line, a directive spanning lines, a line that is not what the parser saw). Edits inside
an include shared by several sites (directly or through an enclosing include) are made unsafe:
they change every site that includes the file. Every new line is parsed back and must read as
exactly the intended directive or setting, else the helper declines.
"""

import os
import re

from gwlint.engine.finding import Edit, Fix
from gwlint.errors import InputError
from gwlint.load.ini import parse_ini
from gwlint.load.nginx import parse_text
from gwlint.load.template import is_env_value
from gwlint.model.endpoint import Endpoint

# patterns compiled on first use (re caches them): a run that builds no fix needs neither
_NEEDS_QUOTES = r"[\s;{}#'\"]"
_KEY_VALUE = r"""^(\s*)([^=\s][^=]*?)(\s*=\s*)("[^"]*"|'[^']*'|[^;]*?)(\s*(;.*)?)$"""


def file_lines(ws, rel: str) -> list[str]:
    """The lines of a linted file, numbered as the parsers number them (on "\\n"), without endings."""
    text = ws.root.read_text(os.path.join(ws.root.path, rel))
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def quote(value: str) -> str:
    """An nginx argument as written: double-quoted when it needs quotes (backslashes stay as
    crossplane reads them; only `"` is escaped)."""
    if value and not re.search(_NEEDS_QUOTES, value):
        return value
    return '"' + value.replace('"', '\\"') + '"'


def is_shared(ws, directive) -> bool:
    """True when the directive's file, or an include file on the way to it, is included from
    more than one place."""
    node = directive
    while node.via is not None:
        if ws.include_count(node.path) > 1:
            return True
        node = node.via
    return False


def _line_tokens(text: str) -> tuple[list[tuple[int, int]], int] | None:
    """Token spans of a line holding one simple directive, and the index of its `;`.

    None when the line holds anything else before the `;` (a brace, a comment, an unterminated
    quote) or no `;` at all. Quoting and escapes follow nginx (crossplane's lexer).
    """
    spans: list[tuple[int, int]] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch == ";":
            return (spans, i) if spans else None
        elif ch in "{}#":
            return None
        else:
            start, quote_char = i, ch if ch in "\"'" else None
            i += 2 if ch == "\\" else 1  # a token may start with an escape (`\\;` is one backslash)
            while i < n:
                c = text[i]
                if c == "\\":
                    i += 2
                    continue
                if quote_char:
                    i += 1
                    if c == quote_char:
                        break
                elif c.isspace() or c in ";{}":
                    break
                else:
                    i += 1
            else:
                if quote_char:
                    return None
            spans.append((start, min(i, n)))
    return None


def _single_line(ws, directive) -> tuple[str, list[tuple[int, int]], int] | None:
    """The line text, token spans and `;` index of a simple directive alone on its line."""
    parsed = ws.nginx_files.get(directive.path)
    if parsed is None or directive.block is not None or directive.line != directive.end_line \
            or directive.line in parsed.crowded_lines:
        return None
    lines = file_lines(ws, directive.path)
    if directive.line > len(lines):
        return None
    text = lines[directive.line - 1]
    found = _line_tokens(text)
    if found is None:
        return None
    spans, semi = found
    name_start, name_end = spans[0]
    if text[name_start:name_end] != directive.name or len(spans) != 1 + len(directive.args):
        return None
    return text, spans, semi


def set_args(ws, directive, args: list[str], title: str, safe: bool = True) -> Fix | None:
    """Rewrite a directive's arguments in place.

    Indentation, the spacing between tokens, the text of unchanged arguments (their quotes and
    escapes) and everything from the `;` on (a trailing comment) are kept.
    """
    found = _single_line(ws, directive)
    if found is None:
        return None
    text, spans, _semi = found
    new = text[:spans[0][1]]
    for i, arg in enumerate(args):
        gap = text[spans[i][1]:spans[i + 1][0]] if i + 1 < len(spans) else " "
        unchanged = i < len(directive.args) and directive.args[i] == arg
        new += gap + (text[spans[i + 1][0]:spans[i + 1][1]] if unchanged else quote(arg))
    new += text[spans[-1][1]:]  # anything before the `;`, the `;`, a trailing comment
    if new == text or not _reads_as(new, directive.name, args):
        return None
    return Fix(title, (Edit(directive.path, directive.line, directive.line, (new,)),),
               safe and not is_shared(ws, directive))


def _reads_as(line: str, name: str, args: list[str]) -> bool:
    """Whether nginx reads `line` as exactly `name args;` (some values cannot be written, e.g. a
    trailing backslash)."""
    try:
        parsed = parse_text(line + "\n", "")
    except InputError:
        return False
    return [(d.name, d.args) for d in parsed.directives] == [(name, list(args))]


def _indent_unit(lines: list[str]) -> str:
    return "\t" if any(line.startswith("\t") for line in lines) else "    "


def insert_directive(ws, block, name: str, args: list[str], title: str, safe: bool = True) -> Fix | None:
    """Insert `name args;` as the first directive of `block`, indented like its children.

    Declines when the block's `{` shares its line with anything but a comment.
    """
    parsed = ws.nginx_files.get(block.path)
    if parsed is None or block.block is None or block.end_line in parsed.crowded_lines:
        return None
    lines = file_lines(ws, block.path)
    opener = lines[block.end_line - 1]
    brace = _opening_brace(opener)
    if brace is None:
        return None
    first = next((d for d in block.block if d.path == block.path), None)
    if first is not None and first.line > block.end_line:
        child = lines[first.line - 1]
        indent = child[: len(child) - len(child.lstrip())]
    else:
        indent = opener[: len(opener) - len(opener.lstrip())] + _indent_unit(lines)
    new = f"{indent}{name}{''.join(' ' + quote(a) for a in args)};"
    if not _reads_as(new, name, args):
        return None
    at = block.end_line + 1
    return Fix(title, (Edit(block.path, at, at - 1, (new,)),), safe and not is_shared(ws, block))


def _opening_brace(text: str) -> int | None:
    """Index of a `{` that ends the line (a trailing comment allowed), outside quotes."""
    quote_char = None
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if quote_char:
            quote_char = None if ch == quote_char else quote_char
        elif ch in "\"'":
            quote_char = ch
        elif ch == "#":
            return None
        elif ch == "{":
            rest = text[i + 1:].strip()
            return i if not rest or rest.startswith("#") else None
        i += 1
    return None


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
    if directive.name.endswith("_pass") or directive.name == "server":
        return set_args(ws, directive, [text, *directive.args[1:]], f"point {directive.name} at {text}", safe)
    # a `set $var value;` or a `map` entry holding the value a variable *_pass uses: its last argument;
    # a map entry is unsafe (which pool each of its values should reach is a guess)
    if directive.name == "set":
        return set_args(ws, directive, [*directive.args[:-1], text], f"set {directive.args[0]} to {text}", safe)
    return set_args(ws, directive, [*directive.args[:-1], text], f"map value '{directive.name}' to {text}", False)


def set_ini(ws, pool, key: str, value: str, title: str, safe: bool = True) -> Fix | None:
    """Set `key = value` in a pool: rewrite its last assignment (keeping spacing and a trailing
    `;` comment), or add it after the pool's last line in its header's file, styled like it.
    The value is double-quoted when it needs it (a `;`); the line must read back as intended."""
    setting = pool.get(key)
    if setting is not None and is_env_value(setting.value):
        return None  # its value comes from the environment at start: not ours to overwrite
    if setting is not None:
        path, at, end = setting.path, setting.line, setting.line
        lines = file_lines(ws, path)
        m = re.match(_KEY_VALUE, lines[at - 1]) if at <= len(lines) else None
        if m is None or m.group(2).strip() != key:
            return None
        prefix, suffix = m.group(1) + m.group(2) + m.group(3), m.group(5)
    else:
        lines_here = [s for s in pool.settings.values() if s.path == pool.path]
        path = pool.path
        end = max((s.line for s in lines_here), default=pool.line)
        at = end + 1
        indent, style = "", " = "
        if lines_here:
            sample = re.match(_KEY_VALUE, file_lines(ws, pool.path)[lines_here[0].line - 1])
            if sample:
                indent, style = sample.group(1), sample.group(3)
        prefix, suffix = f"{indent}{key}{style}", ""
    new = next((line for line in (f"{prefix}{text}{suffix}" for text in (value, f'"{value}"'))
                if _ini_reads_as(line, key, value)), None)
    if new is None:
        return None
    return Fix(title, (Edit(path, at, end, (new,)),), safe)


def _ini_reads_as(line: str, key: str, value: str) -> bool:
    try:
        settings = parse_ini(f"[x]\n{line}\n", "").settings
    except InputError:
        return False
    return [(s.key, s.value) for s in settings] == [(key, value)]


def set_inis(ws, pool, values: dict[str, str], title: str, safe: bool = True) -> Fix | None:
    """Set several keys of a pool in one fix; new keys are added together, in the given order."""
    return merge_fixes([set_ini(ws, pool, key, value, title, safe) for key, value in values.items()], title)


def merge_fixes(fixes: list[Fix | None], title: str | None = None) -> Fix | None:
    """One fix from several (None if any is missing): insertions at the same spot become one edit, in
    order; the titles are joined unless `title` is given; safe only when every part is."""
    present = [f for f in fixes if f is not None]
    if not fixes or len(present) < len(fixes):
        return None
    edits: dict[tuple, Edit] = {}
    for edit in (e for f in present for e in f.edits):
        key = (edit.path, edit.start, edit.end)
        if key in edits and edit.end < edit.start:
            edit = Edit(edit.path, edit.start, edit.end, edits[key].lines + edit.lines)
        edits[key] = edit
    return Fix(title or "; ".join(f.title for f in present), tuple(edits.values()), all(f.safe for f in present))
