"""GW9xx: findings about the run itself (loading, fixing, suppressions), listed for docs and config."""

from dataclasses import dataclass

from gwlint.engine.finding import Severity


@dataclass(frozen=True)
class ToolCode:
    code: str
    name: str
    severity: Severity
    summary: str
    fixable: bool = False


TOOL_CODES = (
    ToolCode("GW901", "include-not-found", Severity.ERROR, "An nginx `include` matches no file under the linted root."),
    ToolCode("GW902", "include-cycle", Severity.ERROR, "An nginx `include` includes a file already being included."),
    ToolCode("GW903", "unrendered-template", Severity.WARNING,
             "A file holds template syntax ({{ }} or {% %}); not linted."),
    ToolCode("GW904", "fix-loop", Severity.ERROR, "Fixes do not converge; none was applied."),
    ToolCode("GW905", "fix-broke-file", Severity.ERROR, "A fix made a file unparsable; it was reverted."),
    ToolCode("GW906", "include-outside-tree", Severity.WARNING,
             "An nginx `include` match is a symlink to a file the linted tree does not hold; not linted."),
    ToolCode("GW910", "unused-suppression", Severity.WARNING, "A `gwlint: disable` comment suppresses nothing."),
    ToolCode("GW911", "suppression-without-reason", Severity.WARNING,
             "A `gwlint: disable` comment gives no `-- reason`; it suppresses nothing until it does."),
    ToolCode("GW912", "invalid-suppression", Severity.WARNING,
             "A `gwlint:` comment that cannot be read: unknown code, bad syntax, or `disable-file` below the top."),
    ToolCode("GW920", "nginx-config-test-fails", Severity.ERROR,
             "`--verify`: `nginx -t` rejects the (fixed) tree, run on a relocated temp copy."),
    ToolCode("GW921", "php-fpm-config-test-fails", Severity.ERROR,
             "`--verify`: `php-fpm -t` rejects the (fixed) tree, run on a relocated temp copy."),
)
