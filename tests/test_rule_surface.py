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


MODEL_FILES = sorted((REPO / "gwlint" / "model").glob("*.py"))
# model code reaches the tree only through the loader's Root (`ws.root.read_text(...)`, `root.stat_dir(...)`):
# one place that keeps reads inside the root, applies unsaved buffers and remembers what was read
MODEL_IO_CALLS = IO_CALLS | {"readlink", "realpath"}


def direct_file_access(source: str) -> list[str]:
    """Where a model module's source touches the file system other than through a Root."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            out += [f"line {node.lineno}: imports {n}" for n in names
                    if n.split(".")[0] in {"os", "glob", "shutil", "subprocess", "socket", "io", "tempfile"}]
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id == "open":
                out.append(f"line {node.lineno}: calls open()")
            if isinstance(func, ast.Attribute) and func.attr in MODEL_IO_CALLS:
                receiver = func.value
                name = receiver.attr if isinstance(receiver, ast.Attribute) else getattr(receiver, "id", "")
                if name != "root":
                    out.append(f"line {node.lineno}: calls {ast.unparse(func)}()")
    return out


@pytest.mark.parametrize("path", MODEL_FILES, ids=lambda p: p.name)
def test_the_model_reads_the_tree_only_through_the_loader(path):
    assert direct_file_access(path.read_text()) == []


@pytest.mark.parametrize("source, expected", [
    ("import os\n", "imports os"),
    ("def f(path):\n    return path.is_file()\n", "calls path.is_file()"),
    ("def f(root, p):\n    return (root.path / p).exists()\n", "calls (root.path / p).exists()"),
    ("def f(p):\n    return open(p).read()\n", "calls open()"),
])
def test_the_model_guard_catches_direct_reads(source, expected):
    found = direct_file_access(source)
    assert found and expected in found[0]


def test_the_model_guard_lets_root_reads_through():
    assert direct_file_access("def f(ws, p):\n    return ws.root.read_text(p) if ws.root.is_file(p) else None\n") == []
