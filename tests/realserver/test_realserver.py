"""Every case of REALSERVER_CASES on real nginx + php-fpm: the broken tree gives the predicted status
and error.log line, and `gwlint doctor` names the rule and line from the logs it wrote; after the
fix (gwlint's, or the case's manual one) the tree passes --verify and gives 200. Clean fixtures give 200, gwlint finds nothing and the servers log no error."""

import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import gwlint as in_process

from gwlint.verify.relocate import relocate
from realserver.cases import CLEAN_PATHS, CLEAN_PORTS, all_cases
from realserver.doctor_checks import assert_doctor_names
from realserver.harness import ServerError, Servers

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
CLEAN = sorted(p.name for p in FIXTURES.glob("*-clean"))

pytestmark = pytest.mark.realserver


def gwlint(*args: str) -> SimpleNamespace:
    """`gwlint check` in-process, its result shaped as subprocess.run's (returncode, stdout, stderr)."""
    result = in_process("check", *args)
    return SimpleNamespace(returncode=result.exit_code, stdout=result.stdout, stderr=result.stderr)


def serve(tree: Path, dest: Path, path: str, before: tuple[str, ...] = (), body: int = 0, port: int = 80):
    """Relocate `tree` to `dest`, start its servers, request `before` then `path` (POST `body`
    bytes when given); (response of `path`, error.log, fpm log, the relocation)."""
    relocation = relocate(tree, dest)
    with Servers(relocation) as servers:
        for first in before:
            servers.get(first)
        response = servers.get(path, port, body=b"x" * body if body else None)
        servers.stop()  # flushes the logs
        return response, servers.error_log(), servers.fpm_log(), relocation


@pytest.mark.parametrize(("key", "case"), all_cases(), ids=[f"{k}-{c.id}" for k, c in all_cases()])
def test_broken_then_fixed(key, case, workdir):
    tree = workdir / "tree"
    shutil.copytree(FIXTURES / case.fixture, tree, symlinks=True)

    if case.status is None:
        with pytest.raises(ServerError) as refused:
            serve(tree, workdir / "broken", case.path)
        assert re.search(case.log, str(refused.value)), str(refused.value)
    else:
        response, error_log, fpm_log, relocation = serve(tree, workdir / "broken", case.path, case.before, case.body)
        assert response.status == case.status, error_log
        assert re.search(case.log, error_log), f"no line /{case.log}/ in error.log:\n{error_log}"
        if case.errno is not None:
            assert f"({case.errno}: " in error_log
        if case.fpm_log:
            assert re.search(case.fpm_log, fpm_log), fpm_log
        assert_doctor_names(key, case, tree, relocation, workdir)  # before the fix changes the tree

    for rel, old, new in case.manual_fix:
        text = (tree / rel).read_text()
        assert old in text, f"{case.fixture}/{rel} no longer holds {old!r}"
        (tree / rel).write_text(text.replace(old, new, 1))
    fix = () if case.manual_fix else ("--fix", "--unsafe-fixes") if case.unsafe_fix else ("--fix",)
    fixed = gwlint(str(tree), "--verify", *fix)
    assert "GW92" not in fixed.stdout, fixed.stdout
    if not case.manual_fix:
        assert fixed.returncode == 0, fixed.stdout + fixed.stderr

    response, error_log, _, _ = serve(tree, workdir / "fixed", case.path, case.before, case.body)
    assert response.status == case.fixed_status, error_log
    assert response.body.startswith("OK"), response.body


@pytest.mark.parametrize("fixture", CLEAN)
def test_clean_fixture_serves_200_and_lints_clean(fixture, workdir):
    result = gwlint(str(FIXTURES / fixture), "--verify")
    assert result.returncode == 0, result.stdout + result.stderr
    response, error_log, fpm_log, _ = serve(FIXTURES / fixture, workdir / "root", CLEAN_PATHS.get(fixture, "/index.php"),
                                         port=CLEAN_PORTS.get(fixture, 80))
    assert (response.status, response.body) == (200, "OK\n"), error_log
    assert not re.search(r"\[(crit|error|alert|emerg)\]", error_log), error_log
    assert not re.search(r"\b(ERROR|ALERT|WARNING):", fpm_log), fpm_log
