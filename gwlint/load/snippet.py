"""Lint one nginx file alone: a `server {}` file, a server body or a location body.

The file is not rewritten: a virtual one-line wrapper (`http { server { include FILE; } }`) that
exists only in the Root overlay includes it, so every finding keeps the file's own path and lines.

nginx resolves a relative `include` against its prefix (/etc/nginx), not against the including
file's directory: a snippet inside an nginx config dir (an ancestor holding nginx.conf) is linted
with that dir as the root, so `include fastcgi_params;` finds the file nginx reads. A snippet
linted on its own, outside any config dir, cannot see nginx's stock files (fastcgi_params,
mime.types, ...): those includes are not reported, and any other include it lacks is a warning.
"""

import os

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


def nginx_prefix(path: str) -> str | None:
    """The nginx config dir a file sits in (`path` is absolute): its nearest ancestor that holds
    nginx.conf."""
    parent = os.path.dirname(path)
    while True:
        if os.path.isfile(os.path.join(parent, "nginx.conf")):
            return parent
        if parent == "/":
            return None
        parent = os.path.dirname(parent)


def is_wrapper(rel: str) -> bool:
    """True for the virtual entry file of a snippet linted alone."""
    return rel.startswith("<") and rel.endswith(" context>")


def wrapper_name(context: str) -> str:
    return f"<{context} context>"


def wrap(snippet: str, root: str, context: str) -> tuple[str, dict[str, str]]:
    """The entry file to lint and the overlay holding it (nothing when context is main)."""
    if context == "main":
        return snippet, {}
    blocks = CONTEXTS[context]
    include = os.path.relpath(snippet, root).replace('"', '\\"')
    text = "".join(f"{b} {{ " for b in blocks) + f'include "{include}"; ' + "} " * len(blocks) + "\n"
    return os.path.join(root, wrapper_name(context)), {wrapper_name(context): text}
