"""GW9xx: findings about the run itself (loading, fixing, suppressions): the one catalog of them.

Code that reports one uses its constant here (`INCLUDE_NOT_FOUND.finding(...)`), never the code
typed again.
"""


from gwlint.engine.finding import Finding, Severity
from gwlint.records import Record


class ToolCode(Record):
    __slots__ = ("code", "fixable", "name", "severity", "summary")

    def __init__(self, code: str, name: str, severity: Severity, summary: str, fixable: bool = False) -> None:
        self.code = code
        self.name = name
        self.severity = severity
        self.summary = summary
        self.fixable = fixable

    def finding(self, message: str, path: str, line: int) -> Finding:
        """A finding of this code, name and severity at `path:line`."""
        return Finding(message, path, line, code=self.code, name=self.name, severity=self.severity)


INCLUDE_NOT_FOUND = ToolCode("GW901", "include-not-found", Severity.ERROR,
                             "An nginx `include` matches no file under the linted root.")
INCLUDE_CYCLE = ToolCode("GW902", "include-cycle", Severity.ERROR,
                         "An nginx `include` includes a file already being included.")
UNRENDERED_TEMPLATE = ToolCode("GW903", "unrendered-template", Severity.INFO,
                               "A file is an unrendered template (Jinja, `*.template`, `${VAR:-x}`, `<VAR>`, "
                               "`%var%`, `__VAR__`, `@var@`); not linted.")
FIX_LOOP = ToolCode("GW904", "fix-loop", Severity.ERROR, "Fixes do not converge; none was applied.")
FIX_BROKE_FILE = ToolCode("GW905", "fix-broke-file", Severity.ERROR, "A fix made a file unparsable; it was reverted.")
INCLUDE_OUTSIDE_TREE = ToolCode("GW906", "include-outside-tree", Severity.WARNING,
                                "An nginx `include` match is a symlink to a file the linted tree does not hold; "
                                "not linted.")
FPM_NO_POOL = ToolCode("GW907", "fpm-no-pool", Severity.ERROR,
                       "A php-fpm main config defines no pool: php-fpm refuses to start, every PHP request gets 502.")
UNUSED_SUPPRESSION = ToolCode("GW910", "unused-suppression", Severity.WARNING,
                              "A `gwlint: disable` comment suppresses nothing.")
SUPPRESSION_WITHOUT_REASON = ToolCode("GW911", "suppression-without-reason", Severity.WARNING,
                                      "A `gwlint: disable` comment gives no `-- reason`; it suppresses nothing "
                                      "until it does.")
INVALID_SUPPRESSION = ToolCode("GW912", "invalid-suppression", Severity.WARNING,
                               "A `gwlint:` comment that cannot be read: unknown code, bad syntax, or "
                               "`disable-file` below the top.")
NGINX_TEST_FAILS = ToolCode("GW920", "nginx-config-test-fails", Severity.ERROR,
                            "`--verify`: `nginx -t` rejects the (fixed) tree, run on a relocated temp copy.")
FPM_TEST_FAILS = ToolCode("GW921", "php-fpm-config-test-fails", Severity.ERROR,
                          "`--verify`: `php-fpm -t` rejects the (fixed) tree, run on a relocated temp copy.")

TOOL_CODES = (INCLUDE_NOT_FOUND, INCLUDE_CYCLE, UNRENDERED_TEMPLATE, FIX_LOOP, FIX_BROKE_FILE, INCLUDE_OUTSIDE_TREE,
              FPM_NO_POOL, UNUSED_SUPPRESSION, SUPPRESSION_WITHOUT_REASON, INVALID_SUPPRESSION, NGINX_TEST_FAILS,
              FPM_TEST_FAILS)
