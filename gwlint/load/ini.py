"""INI files (FPM configs, php.ini) as php-fpm and PHP read them, each setting with its line.

Our own line reader replaced configobj (see the README's "Why not configobj" for the measured
reasons): configobj rejects `;` comments, repeated keys and reopened sections, reports no line
numbers, and cuts values at `#` (stock php.ini's `highlight.comment = #FF8000`), so once an
adapter handled all of that, configobj had nothing left to do but cost time.
"""

from sys import intern

from gwlint.errors import InputError
from gwlint.load.template import TemplateFile, find_template
from gwlint.records import Record


class Setting(Record):
    """One `key = value` line: its section (None before the first header), file and line."""

    __slots__ = ("key", "line", "path", "section", "value")

    def __init__(self, section: str | None, key: str, value: str, path: str, line: int):
        self.section = section
        self.key = key
        self.value = value
        self.path = path
        self.line = line

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


class Section(Record):
    """A `[name]` header; a file may open the same section several times."""

    __slots__ = ("line", "name", "path")

    def __init__(self, name: str, path: str, line: int):
        self.name = name
        self.path = path
        self.line = line


class IniFile:
    __slots__ = ("path", "sections", "settings")

    def __init__(self, path: str, sections: list[Section], settings: list[Setting]):
        self.path = path
        self.sections = sections
        self.settings = settings


def _strip_comment(line: str) -> str:
    """The line without a trailing `;` comment (outside quotes)."""
    if ";" not in line:
        return line
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
    """Settings and section headers of one INI file, each with its line; InputError on bad lines,
    TemplateFile for an unrendered template."""
    found = find_template(text, rel, "ini")
    if found is not None:
        raise TemplateFile(f"a template ({found[1]}), rendered before PHP reads it", rel, found[0])
    sections: list[Section] = []
    settings: list[Setting] = []
    section: str | None = None
    for number, raw in enumerate(text.split("\n"), 1):  # numbered like nginx files and line edits
        line = _strip_comment(raw.removesuffix("\r")).strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            if not line.endswith("]"):
                raise InputError(f"malformed section header {line!r}", rel, number)
            section = line[1:-1].strip()
            sections.append(Section(section, rel, number))
            continue
        key, eq, value = line.partition("=")
        if not eq or not key.strip():
            raise InputError(f"expected 'key = value', got {line!r}", rel, number)
        settings.append(Setting(section, intern(key.strip()), intern(unquote(value)), rel, number))  # (they repeat)
    return IniFile(rel, sections, settings)
