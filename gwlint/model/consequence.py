"""What nginx does and logs when it cannot reach a backend (measured; see the README's table)."""

from gwlint.model.endpoint import Endpoint


def connect_failure(endpoint: Endpoint) -> str:
    """The status and error.log line nginx gives when nothing listens at `endpoint`."""
    if endpoint.kind == "unix":
        return (f"502 Bad Gateway, error.log: connect() to unix:{endpoint.path} failed "
                "(2: No such file or directory) while connecting to upstream")
    return "502 Bad Gateway, error.log: connect() failed (111: Connection refused) while connecting to upstream"
