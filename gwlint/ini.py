"""INI files (FPM configs, php.ini) through configobj, behind a line-preserving adapter.

configobj alone rejects `;` comments, repeated keys and reopened sections, and reports no line
numbers. The adapter strips comments, tags every key and section header with its line so that
repeats stay distinct, lets configobj split and validate the `key = value` lines, and maps the
result back to settings with their file and line.

Speed: a file whose every value configobj's own value pattern accepts as a single line (nearly
all of them) is mapped straight to settings with that pattern; anything else (a multi-line
triple-quoted value, a value configobj rejects) goes through configobj itself. tests/test_ini_fast.py
checks both paths agree.
"""

from dataclasses import dataclass

import re

from gwlint.errors import InputError

# configobj's own pattern (ConfigObj._nolistvalue, copied so that configobj is imported only when
# needed) for a value when list_values=False: one quoted string or plain text, then an optional
# `# comment`. A value it matches is taken as written; tests check the copy against configobj.
_NO_LIST_VALUE = re.compile(r'''^
        (
            (?:".*?")|          # double quotes
            (?:'.*?')|          # single quotes
            (?:[^'"\#].*?)|     # unquoted
            (?:)                # Empty value
        )
        \s*(\#.*)?              # optional comment
        $''', re.VERBOSE)


@dataclass(frozen=True, slots=True)
class Setting:
    """One `key = value` line: its section (None before the first header), file and line."""

    section: str | None
    key: str
    value: str
    path: str
    line: int

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True, slots=True)
class Section:
    """A `[name]` header; a file may open the same section several times."""

    name: str
    path: str
    line: int


@dataclass(slots=True)
class IniFile:
    path: str
    sections: list[Section]
    settings: list[Setting]


def _strip_comment(line: str) -> str:
    """The line without a trailing `;` comment (outside quotes)."""
    if '"' not in line and "'" not in line:
        return line.partition(";")[0]
    quote = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == ";":
            return line[:i]
    return line


def unquote(value: str) -> str:
    """A value without its surrounding double or single quotes."""
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def parse_ini(text: str, rel: str) -> IniFile:
    """Settings and section headers of one INI file, each with its line; InputError on bad lines."""
    tagged: list[str] = []
    names: dict[str, str] = {}
    sections: list[Section] = []
    settings: list[Setting] = []
    section: str | None = None
    simple = True  # every value is one configobj would take as written (checked by its own regex)
    for number, raw in enumerate(text.splitlines(), 1):
        line = _strip_comment(raw).strip()
        if not line or line.startswith("#"):
            tagged.append("")
        elif line.startswith("["):
            if not line.endswith("]"):
                raise InputError(f"malformed section header {line!r}", rel, number)
            tag = f"S{number}"
            section = names[tag] = line[1:-1].strip()
            sections.append(Section(section, rel, number))
            tagged.append(f"[{tag}]")
        else:
            key, eq, value = line.partition("=")
            if not eq or not key.strip():
                raise InputError(f"expected 'key = value', got {line!r}", rel, number)
            tag = f"K{number}"
            names[tag] = key = key.strip()
            value = value.strip() or '""'
            tagged.append(f"{tag} = {value}")
            if simple:
                m = _NO_LIST_VALUE.match(value)
                if m is None or value[:3] in ('"""', "'''"):
                    simple = False
                else:
                    settings.append(Setting(section, key, unquote(m.group(1)), rel, number))
    if simple:
        return IniFile(rel, sections, settings)
    return _parse_with_configobj(tagged, names, rel)


def _parse_with_configobj(tagged: list[str], names: dict[str, str], rel: str) -> IniFile:
    """The tagged lines through configobj: multi-line values, and its error for a bad value."""
    from configobj import ConfigObj, ConfigObjError

    try:
        parsed = ConfigObj(tagged, list_values=False, interpolation=False, raise_errors=True,
                           file_error=False, encoding=None)
    except ConfigObjError as exc:
        raise InputError(f"cannot parse: {exc}", rel, getattr(exc, "line_number", None)) from None
    sections: list[Section] = []
    settings: list[Setting] = []

    def collect(section_name: str | None, mapping) -> None:
        for tag, value in mapping.items():
            if isinstance(value, dict):
                continue
            settings.append(Setting(section_name, names[tag], unquote(value), rel, int(tag[1:])))

    collect(None, parsed)
    for tag in parsed.sections:
        name = names[tag]
        sections.append(Section(name, rel, int(tag[1:])))
        collect(name, parsed[tag])
    settings.sort(key=lambda s: s.line)
    return IniFile(rel, sections, settings)
