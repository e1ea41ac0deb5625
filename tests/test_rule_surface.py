"""Rules read facts only through the Workspace and import only gwlint.rule; GW9xx codes only from their catalog."""

import ast
import sys
from pathlib import Path

import pytest

import gwlint.rule

REPO = Path(__file__).resolve().parent.parent
RULE_FILES = sorted((REPO / "rules").glob("*.py"))
# standard modules that reach the file system, processes or the network: a rule needs none of them
IO_MODULES = frozenset({"os", "pathlib", "io", "glob", "shutil", "subprocess", "socket", "tempfile", "fileinput",
                        "mmap", "importlib", "builtins", "sys", "configparser", "json", "tomllib"})
PURE_PATHS = frozenset({"PurePosixPath", "PurePath"})  # path arithmetic on strings, no file system
IO_CALLS = frozenset({"open", "read_text", "read_bytes", "write_text", "write_bytes", "iterdir", "glob", "rglob",
                      "stat", "lstat", "exists", "is_file", "is_dir", "listdir", "scandir"})


def violations(source: str) -> list[str]:
    """What in a rule module's source breaks the rule contract: imports and file-system access."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            names = [node.module or ""] if node.level == 0 else ["(relative import)"]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            names = []
        pure = isinstance(node, ast.ImportFrom) and all(a.name in PURE_PATHS for a in node.names)
        for name in names:
            top = name.split(".")[0]
            if name == "gwlint.rule" or (name == "pathlib" and pure):
                continue
            if top == "gwlint" or top not in sys.stdlib_module_names or top in IO_MODULES:
                out.append(f"line {node.lineno}: imports {name}")
        if isinstance(node, ast.Call):
            func = node.func
            called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if called in IO_CALLS:
                out.append(f"line {node.lineno}: calls {called}()")
        if isinstance(node, ast.Attribute) and node.attr == "root":
            out.append(f"line {node.lineno}: reaches the file system root (.root)")
    return out


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.name)
def test_rule_modules_import_only_the_rule_surface_and_read_no_file(path):
    assert violations(path.read_text()) == []


@pytest.mark.parametrize("source, expected", [
    ("from gwlint.load.accounts import load_accounts\n", "imports gwlint.load.accounts"),
    ("from gwlint.model.backends import declarations\n", "imports gwlint.model.backends"),
    ("import pathlib\n", "imports pathlib"),
    ("from pathlib import Path, PurePosixPath\n", "imports pathlib"),
    ("import yaml\n", "imports yaml"),
    ("def check(ws):\n    open('etc/passwd')\n", "calls open()"),
    ("def check(ws):\n    ws.root.read_text(p)\n", "calls read_text()"),
    ("def check(ws):\n    return ws.root\n", "(.root)"),
])
def test_the_guard_catches_a_rule_that_reads_files(source, expected):
    found = violations(source)
    assert found and expected in found[0]


def test_the_guard_lets_a_rule_on_the_surface_through():
    assert violations("import re\nfrom gwlint.rule import Severity, report\n\ndef check(ws):\n"
                      "    for pool in ws.pools:\n        yield report(pool, 'x')\n") == []


def test_every_name_the_surface_exports_exists():
    assert all(hasattr(gwlint.rule, name) for name in gwlint.rule.__all__)


def tool_code_literals(source: str) -> list[int]:
    """Lines where a string constant is exactly a GW9xx code."""
    return [node.lineno for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and len(node.value) == 5 and node.value.startswith("GW9") and node.value[3:].isdigit()]


def test_gw9xx_codes_are_typed_only_in_their_catalog():
    sources = [p for d in ("gwlint", "rules") for p in (REPO / d).rglob("*.py")
               if p.name != "toolcodes.py"]
    assert {str(p.relative_to(REPO)): lines for p in sources if (lines := tool_code_literals(p.read_text()))} == {}
    assert tool_code_literals('x = "GW904"\n') == [1]


def readme_rule() -> str:
    """The example rule of the README's section on the rule surface."""
    text = (REPO / "README.md").read_text()
    section = text[text.index("### The rule surface"):]
    return section[section.index("```python\n") + 10:section.index("\n```", section.index("```python"))]


def test_the_readme_example_rule_runs_on_the_surface(tmp_path):
    import types

    from gwlint.engine.registry import _validate
    from gwlint.testing import lint

    source = readme_rule()
    assert violations(source) == []
    module = types.ModuleType("gwlint.rules.readme_example")
    exec(compile(source, "README.md", "exec"), module.__dict__)
    assert _validate(module).code == "GW399"
    nginx = ("events {}\nhttp {\n    server {\n        location ~ \\.php$ {\n"
             "            fastcgi_pass unix:/run/php/php8.2-fpm.sock;\n        }\n    }\n}\n")
    pool = "[www]\nlisten = /run/php/php8.2-fpm.sock\npm = static\npm.max_children = 5\n"
    r = lint({"etc/nginx/nginx.conf": nginx, "etc/php/8.2/fpm/pool.d/www.conf": pool}, tmp_path)
    (finding,) = module.check(r.workspace)
    assert (finding.path, finding.line) == ("etc/nginx/nginx.conf", 5)
    assert "504 Gateway Timeout" in finding.message and finding.fix.edits[0].lines == ("request_terminate_timeout = 300",)
    r2 = lint({"etc/nginx/nginx.conf": nginx, "etc/php/8.2/fpm/pool.d/www.conf": pool + "request_terminate_timeout = 60\n"},
              tmp_path / "fixed")
    assert list(module.check(r2.workspace)) == []
