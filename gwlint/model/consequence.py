"""What a client gets and what nginx logs when a request fails: the wording, written once.

Each line was measured on nginx 1.22 + php-fpm 8.2 (see the README's table and DOMAIN.md); rules
compose their messages from these instead of retyping them.
"""

from gwlint.model.endpoint import Endpoint

BAD_GATEWAY = "502 Bad Gateway"
REFUSED = "connect() failed (111: Connection refused) while connecting to upstream"
# the connection was accepted and then dropped: php-fpm killed the worker or closed the connection
RESET = "recv() failed (104: Connection reset by peer) while reading response header from upstream"
# php-fpm accepts and then drops the connection (allowed_clients, a non-FastCGI client): a reset or a
# clean close, depending on timing
CLOSED = f"{RESET} (or: upstream prematurely closed connection while reading response header from upstream)"
TIMED_OUT = "upstream timed out (110: Connection timed out)"
READ_TIMED_OUT = f"{TIMED_OUT} while reading response header from upstream"
FPM_DOWN = f"every PHP request gets {BAD_GATEWAY}"  # php-fpm does not start: nothing listens
# SCRIPT_FILENAME names no file php-fpm can open
NO_SCRIPT = '404 "File not found.", error.log: FastCGI sent in stderr: "Primary script unknown"'
FPM_EXITS = f"php-fpm exits (FPM initialization failed), so {FPM_DOWN} (nothing listens on the pool's socket)"


def connect_failure(endpoint: Endpoint) -> str:
    """The status and error.log line nginx gives when nothing listens at `endpoint`."""
    if endpoint.kind == "unix":
        return (f"{BAD_GATEWAY}, error.log: connect() to unix:{endpoint.path} failed "
                "(2: No such file or directory) while connecting to upstream")
    return f"{BAD_GATEWAY}, error.log: {REFUSED}"


def connect_denied(path: str) -> str:
    """The status and error.log line nginx gives when it may not open the socket `path`."""
    return (f"{BAD_GATEWAY}, error.log: connect() to unix:{path} failed (13: Permission denied) "
            "while connecting to upstream")


def fpm_closed() -> str:
    """php-fpm accepts the connection and drops it before answering."""
    return f"{BAD_GATEWAY}, error.log: {CLOSED}"


def fpm_killed() -> str:
    """php-fpm kills the worker mid-request (request_terminate_timeout, the OOM killer)."""
    return f"{BAD_GATEWAY} (error.log: {RESET})"


def gateway_timeout(line: str = READ_TIMED_OUT) -> str:
    """nginx stops waiting for the backend."""
    return f"504 Gateway Timeout (error.log: {line})"
