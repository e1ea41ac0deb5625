"""Errors that stop a run: bad input or usage (exit 2), or a bug in gwlint itself (exit 3)."""

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2
EXIT_INTERNAL = 3  # an unexpected exception: a gwlint bug, never a verdict on the config


class RuleError(Exception):
    """A rule module that breaks the contract: a bug in gwlint or in a rule plugin, not in the config."""


class InputError(Exception):
    """A file gwlint cannot read or parse; str() is `path:line: message`."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line

    def __str__(self) -> str:
        where = self.path or ""
        if self.path and self.line:
            where += f":{self.line}"
        return f"{where}: {self.message}" if where else self.message
