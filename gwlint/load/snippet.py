"""Lint one nginx file alone: a `server {}` file, a server body or a location body.

The file is not rewritten: a virtual one-line wrapper (`http { server { include FILE; } }`) that
exists only in the Root overlay includes it, so every finding keeps the file's own path and lines.
"""

from pathlib import Path

from gwlint.errors import InputError
from gwlint.load.nginx import parse_text

CONTEXTS = {"main": (), "http": ("http",), "server": ("http", "server"),
            "location": ("http", "server", "location /")}
_MAIN = frozenset({"http", "events", "stream", "mail", "user", "worker_processes", "pid", "load_module"})
_HTTP = frozenset({"server", "upstream", "map", "geo", "split_clients", "limit_req_zone", "limit_conn_zone",
                   "fastcgi_cache_path", "proxy_cache_path", "log_format"})
_SERVER = frozenset({"location", "listen", "server_name", "ssl_certificate"})


def guess_context(text: str, rel: str) -> str:
    """The context a file's top-level directives belong in (main when it does not parse)."""
    try:
        names = {d.name for d in parse_text(text, rel).directives}
    except InputError:
        return "main"  # the normal load reports the syntax error at its line
    for context, marks in (("main", _MAIN), ("http", _HTTP), ("server", _SERVER)):
        if names & marks:
            return context
    return "location" if names else "main"


def wrapper_name(context: str) -> str:
    return f"<{context} context>"


def wrap(snippet: Path, root: Path, context: str) -> tuple[Path, dict[str, str]]:
    """The entry file to lint and the overlay holding it (nothing when context is main)."""
    if context == "main":
        return snippet, {}
    blocks = CONTEXTS[context]
    include = snippet.relative_to(root).as_posix().replace('"', '\\"')
    text = "".join(f"{b} {{ " for b in blocks) + f'include "{include}"; ' + "} " * len(blocks) + "\n"
    return root / wrapper_name(context), {wrapper_name(context): text}
