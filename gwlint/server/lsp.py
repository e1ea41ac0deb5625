"""`gwlint server`: a Language Server on stdio (pygls). Whole-tree diagnostics with the editor's
unsaved buffers, quick fixes, fix-all, suppress-here, and hover with effective values.

A change to any file of a root re-lints that root (debounced) with every open buffer of it read
instead of the disk, and publishes diagnostics to every file with findings, open or not; files
whose findings are gone are cleared. Only diagnostics that changed are sent again. Parsed files
and path facts are kept from run to run (gwlint.server.run), so a re-lint after an edit re-parses
the edited file only. The config (`[tool.gwlint]`, `.gwlint.toml`) is read on every
run, so an edit to it applies at the next one.
"""

import asyncio
import logging
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol

from gwlint import __version__
from gwlint.engine.finding import Finding
from gwlint.errors import InputError
from gwlint.server import convert
from gwlint.server.hover import hover_text

DEBOUNCE = 0.3  # seconds of quiet after a change before the root is linted again
FIX_ALL = "source.fixAll.gwlint"
log = logging.getLogger(__name__)


def path_of(uri: str) -> Path:
    return Path(unquote(urlparse(uri).path))


def laid_out_like_root(d: Path) -> bool:
    """A tree laid out like /: it holds etc/nginx, etc/php*, or usr/local/etc/php-fpm*."""
    etc = d / "etc"
    return (etc / "nginx").is_dir() or any(etc.glob("php*")) or any((d / "usr/local/etc").glob("php-fpm*"))


def find_root(path: Path, folders: list[Path]) -> Path:
    """The root `check` would lint for a file: the nearest directory above it laid out like /
    (within its workspace folder), else the nearest one holding nginx.conf, else the folder, else
    the file's own directory."""
    folder = next((f for f in folders if path.is_relative_to(f)), None)
    above = []
    for d in path.parents:
        above.append(d)
        if folder is not None and d == folder:
            break
    return next((d for d in above if laid_out_like_root(d)), None) \
        or next((d for d in above if (d / "nginx.conf").is_file()), None) or folder or path.parent


@dataclass
class RootState:
    """The last run of one root: its findings and model, and the URIs that got diagnostics."""

    findings: list[Finding] = field(default_factory=list)
    workspace: object = None
    sent: dict[str, list[lsp.Diagnostic]] = field(default_factory=dict)  # what the client holds, by URI
    pending: asyncio.TimerHandle | None = None


class _Protocol(LanguageServerProtocol):
    """pygls drops a request whose params do not fit the method's type; answer it with the error."""

    def structure_message(self, data):
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            if isinstance(data, dict) and "id" in data and "method" in data:
                self._send_response(data["id"], None, exc.to_response_error())
            raise


class GwlintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("gwlint", __version__, text_document_sync_kind=lsp.TextDocumentSyncKind.Full,
                         protocol_cls=_Protocol)
        self.folders: list[Path] = []
        self.roots: dict[Path, RootState] = {}
        self.docs_url: str | None = None

    # documents ----------------------------------------------------------------------------
    def buffers(self, root: Path) -> dict[str, str]:
        """Open documents under `root`, by root-relative path: what the model reads instead of disk."""
        out = {}
        for uri, doc in self.workspace.text_documents.items():
            path = path_of(uri)
            if path.is_relative_to(root):
                out[path.relative_to(root).as_posix()] = doc.source
        return out

    def lines_of(self, root: Path):
        buffers = self.buffers(root)

        def lines(rel: str) -> list[str]:
            text = buffers.get(rel)
            if text is None:
                try:
                    text = (root / rel).read_text(errors="replace")
                except OSError:
                    return []
            return text.split("\n")
        return lines

    def root_for(self, uri: str) -> Path:
        return find_root(path_of(uri), self.folders)

    # linting ------------------------------------------------------------------------------
    def schedule(self, uri: str) -> None:
        root = self.root_for(uri)
        state = self.roots.setdefault(root, RootState())
        if state.pending is not None:
            state.pending.cancel()
        state.pending = asyncio.get_running_loop().call_later(DEBOUNCE, self.lint_root, root)

    def lint_root(self, root: Path) -> None:
        """Lint `root` with the open buffers and publish; a failure becomes one diagnostic, never a crash."""
        from gwlint.server.run import lint_root

        state = self.roots.setdefault(root, RootState())
        state.pending = None
        try:
            state.workspace, state.findings = lint_root(root, self.buffers(root))
        except InputError as exc:
            # the input cannot be read (exit 2 on the command line): one diagnostic at its line, no code
            state.findings = [Finding(exc.message, exc.path or "", exc.line or 1)]
            state.workspace = None
        except Exception as exc:  # a bug in gwlint: say so in the editor, keep serving
            log.exception("gwlint failed on %s", root)
            self.window_log_message(lsp.LogMessageParams(lsp.MessageType.Error, f"gwlint failed on {root}: {exc!r}"))
            return
        self.publish(root, state)

    def publish(self, root: Path, state: RootState) -> None:
        lines = self.lines_of(root)
        by_uri: dict[str, list[lsp.Diagnostic]] = {}
        for finding in state.findings:
            if not finding.path:
                continue
            uri = (root / finding.path).as_uri()
            by_uri.setdefault(uri, []).append(convert.diagnostic(finding, root, lines, self.docs_url))
        for uri in [*state.sent, *((root / rel).as_uri() for rel in self.buffers(root))]:
            by_uri.setdefault(uri, [])  # cleared, or an open document with nothing to report
        for uri, diagnostics in sorted(by_uri.items()):
            if state.sent.get(uri) != diagnostics:  # only what changed since the client last heard
                self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics))
        state.sent = by_uri

    def resend(self, uri: str) -> None:
        """Publish `uri`'s diagnostics at the next run even when unchanged (a document opened or closed)."""
        state = self.roots.get(self.root_for(uri))
        if state is not None:
            state.sent.pop(uri, None)

    # code actions -------------------------------------------------------------------------
    def code_actions(self, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
        root = self.root_for(params.text_document.uri)
        state = self.roots.get(root)
        if state is None:
            return []
        rel = path_of(params.text_document.uri).relative_to(root).as_posix()
        first, last = params.range.start.line + 1, params.range.end.line + 1
        lines = self.lines_of(root)
        here = [f for f in state.findings if f.path == rel and first <= f.line <= last and f.code]
        actions = []
        for finding in sorted(here, key=lambda f: (not (f.fix and f.fix.safe), f.sort_key())):
            diag = [convert.diagnostic(finding, root, lines, self.docs_url)]
            if finding.fix is not None:
                title = f"{finding.code}: {finding.fix.title}" + ("" if finding.fix.safe else " (unsafe)")
                edit = lsp.WorkspaceEdit(changes=convert.text_edits(finding.fix.edits, root, lines))
                actions.append(lsp.CodeAction(title, kind=lsp.CodeActionKind.QuickFix, diagnostics=diag,
                                              edit=edit, is_preferred=finding.fix.safe))
            actions.append(self.suppress_action(finding, root, lines, diag))
        fix_all = self.fix_all(root, rel)
        if fix_all is not None:
            actions.append(fix_all)
        return actions

    def suppress_action(self, finding: Finding, root: Path, lines, diag) -> lsp.CodeAction:
        """`# gwlint: disable-next-line=CODE -- reason` above the line (`;` in INI files)."""
        ws = self.roots[root].workspace
        mark = "#" if ws is None or finding.path in getattr(ws, "nginx_files", {}) else ";"
        text = lines(finding.path)[finding.line - 1] if finding.line <= len(lines(finding.path)) else ""
        indent = text[: len(text) - len(text.lstrip())]
        comment = f"{indent}{mark} gwlint: disable-next-line={finding.code} -- TODO: say why"
        from gwlint.engine.finding import Edit

        edit = Edit(finding.path, finding.line, finding.line - 1, (comment,))
        return lsp.CodeAction(f"Suppress {finding.code} on this line", kind=lsp.CodeActionKind.QuickFix,
                              diagnostics=diag,
                              edit=lsp.WorkspaceEdit(changes=convert.text_edits((edit,), root, lines)))

    def fix_all(self, root: Path, rel: str) -> lsp.CodeAction | None:
        """Every safe fix of this file, as the fix loop makes them (re-linted until nothing changes)."""
        from gwlint.server.run import fix_root

        state = self.roots[root]
        if not any(f.fix and f.fix.safe and any(e.path == rel for e in f.fix.edits) for f in state.findings):
            return None  # no safe fix edits this file: skip the fix loop (code actions are asked for often)
        try:
            fixed = fix_root(root, self.buffers(root)).fixed
        except Exception:  # an unparsable buffer: nothing to offer
            return None
        if rel not in fixed:
            return None
        old = "\n".join(self.lines_of(root)(rel))
        edit = lsp.WorkspaceEdit(changes={(root / rel).as_uri(): [convert.whole_document(old, fixed[rel])]})
        return lsp.CodeAction("gwlint: fix all safe fixes in this file", kind=FIX_ALL, edit=edit)


server = GwlintServer()


@server.feature(lsp.INITIALIZE)
def initialize(ls: GwlintServer, params: lsp.InitializeParams) -> None:
    folders = params.workspace_folders or []
    ls.folders = [path_of(f.uri) for f in folders]
    if not ls.folders and params.root_uri:
        ls.folders = [path_of(params.root_uri)]
    options = params.initialization_options or {}
    ls.docs_url = options.get("docsUrl") if isinstance(options, dict) else None


@server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: GwlintServer, params: lsp.DidOpenTextDocumentParams) -> None:
    ls.resend(params.text_document.uri)
    ls.schedule(params.text_document.uri)


@server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: GwlintServer, params: lsp.DidChangeTextDocumentParams) -> None:
    ls.schedule(params.text_document.uri)


@server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: GwlintServer, params: lsp.DidSaveTextDocumentParams) -> None:
    ls.schedule(params.text_document.uri)


@server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: GwlintServer, params: lsp.DidCloseTextDocumentParams) -> None:
    ls.resend(params.text_document.uri)
    ls.schedule(params.text_document.uri)  # the disk copy counts again


@server.feature(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)
def did_change_watched(ls: GwlintServer, params: lsp.DidChangeWatchedFilesParams) -> None:
    for change in params.changes:
        ls.schedule(change.uri)


@server.feature(lsp.TEXT_DOCUMENT_CODE_ACTION,
                lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix, FIX_ALL]))
def code_action(ls: GwlintServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
    return ls.code_actions(params)


@server.feature(lsp.TEXT_DOCUMENT_HOVER)
def hover(ls: GwlintServer, params: lsp.HoverParams) -> lsp.Hover | None:
    root = ls.root_for(params.text_document.uri)
    state = ls.roots.get(root)
    if state is None or state.workspace is None:
        return None
    rel = path_of(params.text_document.uri).relative_to(root).as_posix()
    text = hover_text(state.workspace, rel, params.position.line + 1)
    return lsp.Hover(lsp.MarkupContent(lsp.MarkupKind.Markdown, text)) if text else None


def serve() -> int:
    """Run on stdin/stdout until the client says exit."""
    server.start_io()
    return 0
