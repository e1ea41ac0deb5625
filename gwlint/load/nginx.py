"""nginx configuration: crossplane's tokens, our tree builder and our include resolution.

gwlint.load.lexer yields crossplane's tokens (with line numbers, checked token for token); we build the tree
ourselves so that we read each file once, from text we have already checked, keep each directive's end line (for
safe line edits), and resolve `include` under the linted root instead of on the host.
"""

import os
import re
import stat
from collections.abc import Iterator
from sys import intern

from gwlint.errors import InputError, short_name
from gwlint.load.fsroot import Root, stat_mode
from gwlint.load.lexer import lex
from gwlint.load.template import TemplateFile, find_template

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~3 ms of start-up)
if TYPE_CHECKING:
    from gwlint.load.mapbody import MapBody

# files every nginx package installs in its prefix (Debian adds proxy_params and two snippets)
STOCK_INCLUDES = frozenset({
    "fastcgi_params", "fastcgi.conf", "scgi_params", "uwsgi_params", "mime.types", "proxy_params",
    "koi-utf", "koi-win", "win-utf", "snippets/fastcgi-php.conf", "snippets/snakeoil.conf",
})


def is_stock_include(arg: str) -> bool:
    """True for `include fastcgi_params;`, `include /etc/nginx/mime.types;` and the like."""
    rel = arg.removeprefix("/etc/nginx/")
    return rel in STOCK_INCLUDES

PASS_DIRECTIVES = ("fastcgi_pass", "proxy_pass", "uwsgi_pass", "scgi_pass", "grpc_pass", "memcached_pass")
_GLOB_CHARS = re.compile(r"[*?\[]")
_PUNCTUATION = frozenset(";{}")
_INDEXED = 32  # a block this long answers children() from an index by name
_UNQUOTED: dict[int, list[bool]] = {}


def unquoted(count: int) -> list[bool]:
    """The `quoted` flags of `count` arguments none of which is quoted: one list shared by every
    such directive (most are; ~30 MB on 10,000 sites). Never mutated once parsed."""
    flags = _UNQUOTED.get(count)
    if flags is None:
        flags = _UNQUOTED[count] = [False] * count
    return flags


class ParsedFile:
    """One nginx file: its directives, comments and the lines holding more than one directive."""

    __slots__ = ("comments", "crowded_lines", "directives", "rel")

    def __init__(self, rel: str, directives: "list[Directive]", comments: list[tuple[int, str]],
                 crowded_lines: frozenset[int]):
        self.rel = rel
        self.directives = directives  # taken into a config's expanded tree (their blocks then hold includes too)
        self.comments = comments
        self.crowded_lines = crowded_lines  # (frozenset(): one shared empty set for most files)


class Directive:
    """A directive: where it is written, and (once includes are expanded) where it sits in nginx's tree.

    The parser makes one per directive of a file (parent and via None; a Block for one with `{}`);
    the first expansion of the file takes those very objects into the expanded tree (see
    NginxConfig), later ones copy them.
    """

    __slots__ = ("args", "end_line", "line", "name", "parent", "path", "quoted", "via")
    block: "list[Directive] | None" = None  # a Block's children (no slot here: most directives have none)

    def __init__(self, name: str, args: list[str], path: str, line: int, end_line: int, parent: "Directive | None",
                 quoted: list[bool] | None = None, via: "Directive | None" = None):
        self.name = name
        self.args = args
        self.path = path
        self.line = line
        self.end_line = end_line
        self.parent = parent
        self.quoted = quoted if quoted is not None else unquoted(len(args))  # shared when none is (unquoted())
        self.via = via  # the include directive that loaded it

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"

    @property
    def context(self) -> str:
        """The name of the enclosing block ("main" at top level)."""
        return self.parent.name if self.parent else "main"

    def children(self, name: str) -> list["Directive"]:
        """Direct children named `name` (includes already expanded)."""
        return []

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


class Block(Directive):
    """A directive with a `{}` block."""

    __slots__ = ("block", "by_name")

    def __init__(self, name: str, args: list[str], path: str, line: int, end_line: int, parent: Directive | None,
                 quoted: list[bool] | None = None, via: Directive | None = None, block: list[Directive] | None = None):
        super().__init__(name, args, path, line, end_line, parent, quoted, via)
        self.block: list[Directive] = [] if block is None else block
        # (block length, children by name) of a big block (http{} holds every server): built on first use
        self.by_name: tuple[int, dict[str, list[Directive]]] | None = None

    def children(self, name: str) -> list[Directive]:
        """Direct children named `name` (includes already expanded)."""
        block = self.block
        if len(block) < _INDEXED:
            return [d for d in block if d.name == name]
        index = self.by_name
        if index is None or index[0] != len(block):  # (a block still growing while it is expanded)
            names: dict[str, list[Directive]] = {}
            for d in block:
                names.setdefault(d.name, []).append(d)
            index = self.by_name = (len(block), names)
        return list(index[1].get(name, ()))


def parse_text(text: str, rel: str) -> ParsedFile:
    """Parse one file's text; raises InputError with path:line on a syntax error."""
    found = find_template(text, rel, "nginx")
    if found is not None:
        raise TemplateFile(f"a template ({found[1]}), rendered before nginx reads it", rel, found[0])
    top: list[Directive] = []
    stack: list[tuple[Directive | None, list[Directive]]] = [(None, top)]
    siblings = top
    comments: list[tuple[int, str]] = []
    seen_lines: set[int] = set()
    crowded: set[int] = set()
    name: str | None = None  # the directive being read: its name, first line, arguments and their quoting
    start = 0
    args: list[str] = []
    flags: list[bool] | None = None  # None while no argument is quoted

    # crossplane's lexer (and ours, token for token) silently drops a last token with no whitespace
    # after it and everything after an unterminated quote: a sentinel ";" on a line of its own
    # must come back, unquoted.
    sentinel_line = text.count("\n") + 2
    reached_end = False
    for token, line, quoted in lex(text + "\n;"):
        if token == ";" and not quoted and line == sentinel_line:
            reached_end = True
            break
        if quoted or token not in _PUNCTUATION:
            if not quoted and token[0] == "#":  # unquoted tokens are never empty
                comments.append((line, token[1:]))
            elif name is not None:
                args.append(intern(token))  # a tree repeats its words: share one copy
                if quoted or flags:  # (a list of flags from the first quoted argument)
                    if flags is None:
                        flags = [False] * (len(args) - 1)
                    flags.append(quoted)
            else:
                name, start, args, flags = intern(token), line, [], None
                (crowded if line in seen_lines else seen_lines).add(line)
            continue
        if token == "}":
            if name is not None:
                raise InputError(f'directive "{name}" is not terminated by ";"', rel, start)
            if len(stack) == 1:
                raise InputError('unexpected "}"', rel, line)
            stack.pop()
            siblings = stack[-1][1]
            continue
        if name is None:
            raise InputError(f'unexpected "{token}"', rel, line)
        if line != start:
            (crowded if line in seen_lines else seen_lines).add(line)
        # (args[:]: without the room appending left, ~8 MB on 10,000 sites)
        if token == "{":
            block = Block(name, args[:], rel, start, line, None, flags or unquoted(len(args)))
            siblings.append(block)
            siblings = block.block
            stack.append((block, siblings))
        else:
            siblings.append(Directive(name, args[:], rel, start, line, None, flags or unquoted(len(args))))
        name = None
    if not reached_end:
        raise InputError("unterminated quoted string (unexpected end of file)", rel, _open_quote_line(text))
    if name is not None:  # (a backslash-newline at the very end counts one line too many)
        raise InputError(f'unexpected end of file, expecting ";" or "}}" after "{name}"', rel,
                         min(start, text.count("\n") + 1))
    if len(stack) > 1:
        opener = stack[-1][0]
        assert opener is not None  # only the bottom of the stack has no directive
        raise InputError(f'"{opener.name}" block is never closed (unexpected end of file, expecting "}}")',
                         rel, opener.line)
    return ParsedFile(rel, top, comments, frozenset(crowded))


def _open_quote_line(text: str) -> int:
    """The line of the quote left open at the end of `text` (crossplane's quoting rules)."""
    line, opened, quote, in_token, i = 1, 1, None, False, 0
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            line += text[i + 1:i + 2] == "\n"
            i += 2
            in_token = quote is None or in_token
            continue
        if ch == "\n":
            line += 1
        if quote:
            quote = None if ch == quote else quote
        elif ch == "#" and not in_token:
            i = text.find("\n", i)
            if i < 0:
                break
            continue
        elif ch in "\"'" and not in_token:
            quote, opened = ch, line
        else:
            in_token = not (ch.isspace() or ch in "{};")
        i += 1
    return opened


class NginxConfig:
    """Every nginx file reachable from the entry files, parsed once, includes expanded."""

    def __init__(self, root: Root, conf_dir: str):
        self.root = root
        self.conf_dir = conf_dir  # relative includes resolve here, as in nginx
        self.files: dict[str, ParsedFile] = {}
        self.missing_includes: list[Directive] = []
        self.open_errors: dict[int, str] = {}  # id(include) -> why its name cannot be opened at all
        self.include_cycles: list[Directive] = []
        # glob matches not read: (include, matched file, why, whether nginx fails on it too)
        self.unread_matches: list[tuple[Directive, str, str, bool]] = []
        self.templates: list[TemplateFile] = []
        self.include_sites: dict[str, set[str]] = {}  # included file -> include directives reaching it
        # a snippet linted alone outside any config dir: nginx's prefix is not in the tree
        self.standalone = False
        self.unjudged_includes: list[Directive] = []  # includes such a snippet lacks (not stock ones)
        self._by_path: dict[str, ParsedFile | None] = {}
        # tables included inside `map {}` kept as text (gwlint.load.mapbody): id(include) -> bodies
        self.map_bodies: dict[int, list[MapBody]] = {}
        self._map_by_path: dict[str, MapBody | None] = {}
        self._map_rels: set[str] = set()  # files read only as map bodies (their ParsedFile: see _map_body)
        self._own: set[str] = set()  # files parsed here and not expanded yet (see _take)
        self._parsed_blocks: dict[Directive, list[Directive]] = {}  # taken blocks rebuilt: as parsed

    def parse_file(self, path: str) -> ParsedFile | None:
        """The parsed file (None for a template); each file is read and parsed once per run."""
        key = path
        if key in self._by_path:
            return self._by_path[key]
        path = self.root.canonical(path)
        rel = self.root.rel(path)
        parsed = self.files.get(rel) if rel not in self._map_rels else None
        if parsed is None:
            cache = self.root.cache
            try:
                text = self.root.read_text(path, keep=False)  # (fixes and output read it again: ~14 MB on 10k sites)
                parsed = cache.nginx(text, rel) if cache else parse_text(text, rel)
            except TemplateFile as exc:
                self.templates.append(exc)
                parsed = None
            else:
                self.files[rel] = parsed
                self._map_rels.discard(rel)
                if cache is None or not cache.keeps_results:
                    self._own.add(rel)
        self._by_path[key] = parsed
        return parsed

    def load(self, entry: str) -> Directive:
        """The expanded tree of one entry file, under a synthetic "main" block."""
        main = Block("main", [], self.root.rel(entry), 0, 0, None)
        parsed = self.parse_file(entry)
        work = [(parsed.directives if parsed else [], main, None, (self.root.canonical(entry),),
                 self._take(parsed))]
        while work:
            self._expand(*work.pop(), work)
        return main

    def _take(self, parsed: ParsedFile | None) -> bool:
        """True the first time `parsed` is expanded when its directives are ours to put in the tree
        (parsed for this config, not kept by a cache for later runs): later expansions copy them."""
        if parsed is None or parsed.rel not in self._own:
            return False
        self._own.discard(parsed.rel)
        return True

    def _block(self, raw: Directive, node: Block, via, chain, take: bool) -> tuple:
        """The work of expanding `node`'s block from `raw`'s children as parsed. A taken block
        without include stays the parsed list; one with includes is rebuilt, the parsed list kept
        for copies."""
        children = self._parsed_blocks.get(raw) or raw.block or []
        if not take:
            node.block = []
        elif any(child.name == "include" for child in children):
            self._parsed_blocks[node] = children
            node.block = []
        return children, node, via, chain, take

    def _expand(self, nodes, parent, via, chain, take, work) -> None:
        """Put a file's `nodes` in parent's block (themselves when `take`, else copies), splicing
        included files in place."""
        block = parent.block
        in_place = block is nodes  # a taken block without include (see _block)
        enclosing = parent if parent.name != "main" else None
        iterators = [(iter(nodes), via, chain, take)]
        while iterators:
            raws, via, chain, take = iterators[-1]
            raw = next(raws, None)
            if raw is None:
                iterators.pop()
                continue
            if take:
                node = raw
                node.parent, node.via = enclosing, via
            else:
                node = (Directive if raw.block is None else Block)(raw.name, raw.args, raw.path, raw.line, raw.end_line,
                                                                   enclosing, raw.quoted, via)
            if not in_place:
                block.append(node)
            if isinstance(node, Block):
                work.append(self._block(raw, node, via, chain, take))
            elif raw.name == "include" and len(raw.args) == 1:
                # a stack of iterators: push the last file first so the first one is spliced first
                for path in reversed(self._include_targets(node)):
                    canonical = self.root.canonical(path)  # (memoized by the root)
                    if canonical in chain:
                        self.include_cycles.append(node)
                        continue
                    body = self._map_body(path) if parent.name == "map" else None
                    if body is not None:  # (targets come last first)
                        self.map_bodies.setdefault(id(node), []).insert(0, body)
                        self.include_sites.setdefault(body.rel, set()).add(node.where)
                        continue
                    included = self._parse_included(path, node)
                    if included is not None:
                        self.include_sites.setdefault(included.rel, set()).add(node.where)
                        iterators.append((iter(included.directives), node, chain + (canonical,),
                                          self._take(included)))

    def _map_body(self, path: str) -> "MapBody | None":
        """A file included in a `map {}` block as a MapBody, when it is a plain table (else None:
        parse it as any file). Its ParsedFile holds its comments and its first entry only (where
        suppressions see its content start); the entries are read from the text when asked."""
        key = path
        if key not in self._map_by_path:
            path = self.root.canonical(path)
            rel = self.root.rel(path)
            body = None
            if rel not in self.files or rel in self._map_rels:
                from gwlint.load.mapbody import read_map_body  # (trees with map tables only)

                try:
                    body = read_map_body(self.root.read_text(path), rel)
                except InputError:  # unreadable: parse_file says why, at the include
                    body = None
            if body is not None and rel not in self.files:
                first = next(body.entries(), None)
                head = [Directive(first[0], [first[1]], rel, first[3], first[3], None, [first[2]])] if first else []
                self.files[rel] = ParsedFile(rel, head, body.comments, frozenset())
                self._map_rels.add(rel)
            self._map_by_path[key] = body
        return self._map_by_path[key]

    def _parse_included(self, path: str, include: Directive) -> ParsedFile | None:
        """parse_file, with an unreadable file reported at the include that names it."""
        try:
            return self.parse_file(path)
        except InputError as exc:
            if exc.line is not None:
                raise
            raise InputError(f'include "{short_name(include.args[0])}": {exc}', include.path, include.line) from None

    def _include_targets(self, include: Directive) -> list[str]:
        try:
            return self._targets(include)
        except OSError as exc:  # e.g. ENAMETOOLONG: nginx cannot open it either
            self.missing_includes.append(include)
            self.open_errors[id(include)] = f"{exc.strerror or exc} (errno {exc.errno})"
            return []

    def _targets(self, include: Directive) -> list[str]:
        pattern = self.root.map_config_path(include.args[0], self.conf_dir)
        if _GLOB_CHARS.search(include.args[0]):
            matches = []
            for path in self.root.glob(pattern, keep_outside=True):
                resolved = self.root.resolve(path)
                mode = stat_mode(resolved) if resolved is not None else None
                if mode is not None and stat.S_ISREG(mode):  # the common case: one stat
                    matches.append(path)
                    continue
                rel = self.root.rel(path)
                if resolved is None:
                    self.unread_matches.append((include, rel, "a symlink leaving the linted root", False))
                elif mode is None:
                    # the target's directory is in the tree: the file is missing there too
                    held = os.path.isdir(os.path.dirname(resolved))
                    target = os.readlink(path) if os.path.islink(path) else rel
                    why = f"a symlink to {target}, which does not exist" if held else \
                        f"a symlink to {target}, outside what the tree holds"
                    self.unread_matches.append((include, rel, why, held))
            return matches
        resolved = self.root.resolve(pattern)
        if resolved is None or stat_mode(resolved) is None:
            if not self.standalone:
                self.missing_includes.append(include)
            elif not is_stock_include(include.args[0]):
                self.unjudged_includes.append(include)
            return []
        return [pattern]
