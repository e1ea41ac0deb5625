"""nginx configuration: crossplane's tokens, our tree builder and our include resolution.

gwlint.lexer yields crossplane's tokens (with line numbers, checked token for token); we build the tree ourselves so that we read each file
once, from text we have already checked, keep each directive's end line (for safe line edits),
and resolve `include` under the linted root instead of on the host.
"""

from dataclasses import dataclass, field
import os
from pathlib import Path
import re
from sys import intern
from typing import Iterator

from gwlint.errors import InputError
from gwlint.fsroot import Root
from gwlint.lexer import lex

PASS_DIRECTIVES = ("fastcgi_pass", "proxy_pass", "uwsgi_pass", "scgi_pass", "grpc_pass", "memcached_pass")
_GLOB_CHARS = re.compile(r"[*?\[]")
_PUNCTUATION = frozenset(";{}")
_TEMPLATE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")


@dataclass(slots=True)
class RawDirective:
    """A directive as parsed from one file, before include expansion."""

    name: str
    args: list[str]
    quoted: list[bool]
    line: int
    end_line: int
    children: list["RawDirective"] | None


@dataclass(slots=True)
class ParsedFile:
    """One nginx file: its directives, comments and the lines holding more than one directive."""

    rel: str
    directives: list[RawDirective]
    comments: list[tuple[int, str]]
    crowded_lines: set[int]


class TemplateFile(InputError):
    """A file with unrendered template syntax ({{ }} / {% %}): linted as nonsense otherwise."""


@dataclass(eq=False, slots=True)
class Directive:
    """A directive in the expanded tree: where it is written, and where it sits in nginx's tree."""

    name: str
    args: list[str]
    path: str
    line: int
    end_line: int
    parent: "Directive | None"
    quoted: list[bool] = field(default_factory=list)
    block: list["Directive"] | None = None
    via: "Directive | None" = None  # the include directive this one was loaded through

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"

    @property
    def context(self) -> str:
        """The name of the enclosing block ("main" at top level)."""
        return self.parent.name if self.parent else "main"

    def children(self, name: str) -> list["Directive"]:
        """Direct children named `name` (includes already expanded)."""
        return [d for d in self.block or () if d.name == name]

    def child(self, name: str) -> "Directive | None":
        """The last direct child named `name`: the one nginx uses."""
        found = self.children(name)
        return found[-1] if found else None

    def inherited(self, name: str) -> "Directive | None":
        """The `name` directive in effect in this block: here, else the nearest enclosing block."""
        node: Directive | None = self
        while node is not None:
            found = node.child(name)
            if found is not None:
                return found
            node = node.parent
        return None

    def inherited_all(self, name: str) -> list["Directive"]:
        """Array-like directives (fastcgi_param, proxy_set_header): the innermost level defining any."""
        node: Directive | None = self
        while node is not None:
            found = node.children(name)
            if found:
                return found
            node = node.parent
        return []

    def ancestor(self, *names: str) -> "Directive | None":
        """The nearest enclosing block with one of `names`."""
        node = self.parent
        while node is not None and node.name not in names:
            node = node.parent
        return node

    def walk(self) -> Iterator["Directive"]:
        """Every directive inside this block, depth first, in file order."""
        stack = list(reversed(self.block or ()))
        while stack:
            node = stack.pop()
            yield node
            if node.block:
                stack.extend(reversed(node.block))


def parse_text(text: str, rel: str) -> ParsedFile:
    """Parse one file's text; raises InputError with path:line on a syntax error."""
    template = _TEMPLATE.search(text)
    if template:
        line = text[: template.start()].count("\n") + 1
        raise TemplateFile("unrendered template syntax ({{ }} or {% %}): render it before linting", rel, line)
    top: list[RawDirective] = []
    stack: list[tuple[RawDirective | None, list[RawDirective]]] = [(None, top)]
    siblings = top
    comments: list[tuple[int, str]] = []
    seen_lines: set[int] = set()
    crowded: set[int] = set()
    pending: RawDirective | None = None

    for token, line, quoted in lex(text):
        if quoted or token not in _PUNCTUATION:
            if not quoted and token[0] == "#":  # unquoted tokens are never empty
                comments.append((line, token[1:]))
            elif pending is not None:
                pending.args.append(intern(token))  # a tree repeats its words: share one copy
                pending.quoted.append(quoted)
            else:
                pending = RawDirective(intern(token), [], [], line, line, None)
                (crowded if line in seen_lines else seen_lines).add(line)
            continue
        if token == "}":
            if pending is not None:
                raise InputError(f'directive "{pending.name}" is not terminated by ";"', rel, pending.line)
            if len(stack) == 1:
                raise InputError('unexpected "}"', rel, line)
            stack.pop()
            siblings = stack[-1][1]
            continue
        if pending is None:
            raise InputError(f'unexpected "{token}"', rel, line)
        pending.end_line = line
        if line != pending.line:
            (crowded if line in seen_lines else seen_lines).add(line)
        siblings.append(pending)
        if token == "{":
            siblings = pending.children = []
            stack.append((pending, siblings))
        pending = None
    if pending is not None:
        raise InputError(f'unexpected end of file, expecting ";" or "}}" after "{pending.name}"', rel, pending.line)
    if len(stack) > 1:
        opener = stack[-1][0]
        raise InputError(f'"{opener.name}" block is never closed (unexpected end of file, expecting "}}")',
                         rel, opener.line)
    return ParsedFile(rel, top, comments, crowded)


class NginxConfig:
    """Every nginx file reachable from the entry files, parsed once, includes expanded."""

    def __init__(self, root: Root, conf_dir: Path):
        self.root = root
        self.conf_dir = conf_dir  # relative includes resolve here, as in nginx
        self.files: dict[str, ParsedFile] = {}
        self.missing_includes: list[Directive] = []
        self.include_cycles: list[Directive] = []
        self.templates: list[TemplateFile] = []
        self.include_sites: dict[str, set[str]] = {}  # included file -> include directives reaching it
        self._by_path: dict[str, ParsedFile | None] = {}
        self._targets: dict[str, list[Path]] = {}  # include argument -> files (stat once per run)
        self._canonical: dict[Path, str] = {}

    def parse_file(self, path: Path) -> ParsedFile | None:
        """The parsed file (None for a template); each file is read and parsed once per run."""
        key = os.fspath(path)
        if key in self._by_path:
            return self._by_path[key]
        path = self.root.canonical(path)
        rel = self.root.rel(path)
        parsed = self.files.get(rel)
        if parsed is None:
            try:
                text = self.root.read_text(path)
                parsed = self.root.cache.nginx(text, rel) if self.root.cache else parse_text(text, rel)
            except TemplateFile as exc:
                self.templates.append(exc)
                parsed = None
            else:
                self.files[rel] = parsed
        self._by_path[key] = parsed
        return parsed

    def load(self, entry: Path) -> Directive:
        """The expanded tree of one entry file, under a synthetic "main" block."""
        main = Directive("main", [], self.root.rel(entry), 0, 0, None, block=[])
        parsed = self.parse_file(entry)
        work = [(parsed.directives if parsed else [], parsed.rel if parsed else "", main, None,
                 (str(self.root.canonical(entry)),))]
        while work:
            raw_nodes, rel, parent, via, chain = work.pop()
            self._expand(raw_nodes, rel, parent, via, chain, work)
        main.parent = None
        return main

    def _expand(self, raw_nodes, rel, parent, via, chain, work) -> None:
        """Append `raw_nodes` to parent's block, splicing included files in place."""
        block = parent.block
        enclosing = parent if parent.name != "main" else None
        iterators = [(iter(raw_nodes), rel, via, chain)]
        while iterators:
            nodes, rel, via, chain = iterators[-1]
            raw = next(nodes, None)
            if raw is None:
                iterators.pop()
                continue
            node = Directive(raw.name, raw.args, rel, raw.line, raw.end_line, enclosing, raw.quoted, None, via)
            block.append(node)
            if raw.children is not None:
                node.block = []
                work.append((raw.children, rel, node, via, chain))
            elif raw.name == "include" and len(raw.args) == 1:
                for path in self._include_targets(node):
                    canonical = self._canonical.get(path)
                    if canonical is None:
                        canonical = self._canonical[path] = str(self.root.canonical(path))
                    if canonical in chain:
                        self.include_cycles.append(node)
                        continue
                    included = self.parse_file(path)
                    if included is not None:
                        self.include_sites.setdefault(included.rel, set()).add(node.where)
                        iterators.append((iter(included.directives), included.rel, node, chain + (canonical,)))

    def _include_targets(self, include: Directive) -> list[Path]:
        arg = include.args[0]
        targets = self._targets.get(arg)
        if targets is None:
            pattern = self.root.map_config_path(arg, self.conf_dir)
            if _GLOB_CHARS.search(arg):
                targets = [p for p in self.root.glob(pattern) if p.is_file()]
            elif pattern.exists() and self.root.contains(pattern):
                targets = [pattern]
            else:
                targets = []
            self._targets[arg] = targets
        if not targets and not _GLOB_CHARS.search(arg):
            self.missing_includes.append(include)
        return targets
