"""Scaffold a rule: rules/<module>.py with every doc section, and tests/test_rule_<module>.py.

    make new-rule NAME=fastcgi-buffers-too-small CODE=GW343 SEVERITY=warning
    python scripts/new_rule.py fastcgi-buffers-too-small GW343 --severity warning

Refuses a code or name already taken and a file that exists; prints the two paths it wrote.
"""

import argparse
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

RULE = '''"""{summary}

## What it does
Reports ... (what the rule looks at, and when it fires).

## Why is this bad?
What a request gets (the status, and nginx's error.log line) or what breaks at start-up.

## Example
```nginx
# a config line this rule flags
```

## Use instead
```nginx
# the same line, fixed
```

## Fix
None

## References
- https://nginx.org/en/docs/
"""

from collections.abc import Iterator

from gwlint.rule import Finding, Severity, Workspace, report

CODE = "{code}"
NAME = "{name}"
SEVERITY = Severity.{severity}


def check(ws: Workspace) -> Iterator[Finding]:
    for directive in ws.directives("server_name"):  # replace with what the rule checks
        if False:
            yield report(directive, "what is wrong, and what a request gets because of it")
'''

TEST = '''"""{code} {name}: inline trees, `# expect: {code}` on the lines it flags."""

from gwlint.testing import lint

NGINX = """events {{}}
http {{
    server {{
        listen 80;
        server_name example.org;  # add lines the rule flags, each ending in `# expect:` and the code
    }}
}}
"""


def test_flags_what_it_should_and_nothing_else(tmp_path):
    r = lint({{"etc/nginx/nginx.conf": NGINX}}, tmp_path, select=("{code}",))
    r.assert_expected()
'''


def scaffold(name: str, code: str, severity: str = "warning", summary: str = "",
             rules_dir: Path = REPO / "rules", tests_dir: Path = REPO / "tests") -> tuple[Path, Path]:
    """Write the rule module and its test file; ValueError when the name, code or a file is taken."""
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name):
        raise ValueError(f"NAME {name!r} is not kebab-case (fastcgi-buffers-too-small)")
    if not re.fullmatch(r"GW[1-8]\d\d", code):
        raise ValueError(f"CODE {code!r} is not GWnnn (GW1xx nginx, GW2xx FPM/php.ini, GW3xx cross-file)")
    if severity not in ("error", "warning", "info"):
        raise ValueError(f"SEVERITY {severity!r} is not error, warning or info")
    module = name.replace("-", "_")
    rule_file, test_file = rules_dir / f"{module}.py", tests_dir / f"test_rule_{module}.py"
    for existing in sorted(rules_dir.glob("*.py")):
        text = existing.read_text(encoding="utf-8")
        if re.search(rf'^CODE = "{code}"$', text, re.M) or re.search(rf'^NAME = "{name}"$', text, re.M):
            raise ValueError(f"{code} or {name} is taken by {existing.name}")
    for path in (rule_file, test_file):
        if path.exists():
            raise ValueError(f"{path} exists")
    summary = summary or "One sentence: what is wrong (the first line is the rules table's summary)."
    rule_file.write_text(RULE.format(summary=summary, code=code, name=name, severity=severity.upper()),
                         encoding="utf-8")
    test_file.write_text(TEST.format(code=code, name=name), encoding="utf-8")
    return rule_file, test_file


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", help="kebab-case, naming the problem")
    parser.add_argument("code", help="GWnnn, never used before")
    parser.add_argument("--severity", default="warning", choices=("error", "warning", "info"))
    parser.add_argument("--summary", default="", help="the docstring's first line")
    parser.add_argument("--rules-dir", type=Path, default=REPO / "rules")
    parser.add_argument("--tests-dir", type=Path, default=REPO / "tests")
    args = parser.parse_args(argv)
    try:
        paths = scaffold(args.name, args.code, args.severity, args.summary, args.rules_dir, args.tests_dir)
    except ValueError as exc:
        print(f"new-rule: {exc}", file=sys.stderr)
        return 2
    for path in paths:
        print(path)
    print("then: fill in the docs and the check, `make readme-rules`, and run the new test", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
