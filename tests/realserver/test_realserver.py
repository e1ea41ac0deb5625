"""Every case of REALSERVER_CASES on real nginx + php-fpm: the broken tree gives the predicted status
and error.log line, and `gwlint doctor` names the rule and line from the logs it wrote; after the
fix (gwlint's, or the case's manual one) the tree passes --verify and gives 200. Clean fixtures give 200, gwlint finds nothing and the servers log no error."""

import re
import shutil
from pathlib import Path
from types import SimpleNamespace
from typing import NamedTuple

import pytest
from conftest import gwlint as in_process

from gwlint.verify.relocate import Relocation, relocate
from realserver.cases import CLEAN_PATHS, CLEAN_PORTS, Case, all_cases
from realserver.doctor_checks import assert_doctor_names
from realserver.harness import Response, ServerError, Servers

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
CLEAN = sorted(p.name for p in FIXTURES.glob("*-clean"))

pytestmark = pytest.mark.realserver


def gwlint(*args: str) -> SimpleNamespace:
    """`gwlint check` in-process, its result shaped as subprocess.run's (returncode, stdout, stderr)."""
    result = in_process("check", *args)
    return SimpleNamespace(returncode=result.exit_code, stdout=result.stdout, stderr=result.stderr)


class Served(NamedTuple):
    response: Response  # of the path requested
    error_log: str  # nginx's
    fpm_log: str
    relocation: Relocation


def serve(tree: Path, dest: Path, path: str, before: tuple[str, ...] = (), body: int = 0, port: int = 80,
          fpm_last_on_every_address: bool = False) -> Served:
    """Relocate `tree` to `dest`, start its servers, request `before` then `path` (POST `body`
    bytes when given); `fpm_last_on_every_address`: as Case's."""
    relocation = relocate(tree, dest)
    if fpm_last_on_every_address:
        bind_every_address(relocation)
    with Servers(relocation, fpm_last=fpm_last_on_every_address) as servers:
        for first in before:
            servers.get(first)
        response = servers.get(path, port, body=b"x" * body if body else None)
        servers.stop()  # flushes the logs
        return Served(response, servers.error_log(), servers.fpm_log(), relocation)


def assert_unsafe_fix_refused(case: Case, tree: Path, workdir: Path) -> None:
    """gwlint's unsafe fix breaks the tree: applied to a copy, then served as the real host would bind
    it (the relocation puts a pool listening on every address on one loopback address, its documented
    limit: the copy's `listen` is set back to the bare port), php-fpm started after the other servers
    refuses to start with `case.unsafe_fix_refused`. It never binds, so nothing is opened to the network."""
    unsafe = workdir / "unsafe-tree"
    shutil.copytree(tree, unsafe, symlinks=True)
    gwlint(str(unsafe), "--fix", "--unsafe-fixes")
    relocation = relocate(unsafe, workdir / "unsafe")
    bind_every_address(relocation)
    with pytest.raises(ServerError) as refused, Servers(relocation, fpm_last=True):
        pass
    assert "php-fpm did not start" in str(refused.value), str(refused.value)
    assert re.search(case.unsafe_fix_refused or "", str(refused.value)), str(refused.value)


def bind_every_address(relocation: Relocation) -> None:
    """Set each pool listening on every address back to the bare port in the copy, as the real host binds
    it (the relocation puts it on one loopback address, its documented limit). Start php-fpm last
    (Servers(fpm_last=True)): it then fails beside the listener it collides with and never binds, so
    nothing is opened to the network."""
    wildcards = [p for p in relocation.workspace.pools if p.listen is not None and p.listen.is_wildcard]
    assert wildcards, "no pool listens on every address"
    for pool in wildcards:
        at = pool.get("listen")
        lines = (relocation.root / at.path).read_text().splitlines(keepends=True)
        lines[at.line - 1] = f"listen = {relocation.ports[pool.listen.port]}\n"
        (relocation.root / at.path).write_text("".join(lines))


@pytest.mark.parametrize(("key", "case"), all_cases(), ids=[f"{k}-{c.id}" for k, c in all_cases()])
def test_broken_then_fixed(key, case, workdir):
    tree = workdir / "tree"
    shutil.copytree(FIXTURES / case.fixture, tree, symlinks=True)

    if case.status is None:
        with pytest.raises(ServerError) as refused:
            serve(tree, workdir / "broken", case.path, fpm_last_on_every_address=case.fpm_last_on_every_address)
        assert re.search(case.log, str(refused.value)), str(refused.value)
    else:
        broken = serve(tree, workdir / "broken", case.path, case.before, case.body)
        assert broken.response.status == case.status, broken.error_log
        assert re.search(case.log, broken.error_log), f"no line /{case.log}/ in error.log:\n{broken.error_log}"
        if case.errno is not None:
            assert f"({case.errno}: " in broken.error_log
        if case.fpm_log:
            assert re.search(case.fpm_log, broken.fpm_log), broken.fpm_log
        assert_doctor_names(key, case, tree, broken.relocation, workdir)  # before the fix changes the tree
    if case.unsafe_fix_refused:
        assert_unsafe_fix_refused(case, tree, workdir)

    for rel, old, new in case.manual_fix:
        text = (tree / rel).read_text()
        assert old in text, f"{case.fixture}/{rel} no longer holds {old!r}"
        (tree / rel).write_text(text.replace(old, new, 1))
    fix = () if case.manual_fix else ("--fix", "--unsafe-fixes") if case.unsafe_fix else ("--fix",)
    fixed = gwlint(str(tree), "--verify", *fix)
    assert "GW92" not in fixed.stdout, fixed.stdout
    if not case.manual_fix:
        assert fixed.returncode == 0, fixed.stdout + fixed.stderr

    fixed_run = serve(tree, workdir / "fixed", case.path, case.before, case.body)
    assert fixed_run.response.status == case.fixed_status, fixed_run.error_log
    assert fixed_run.response.body.startswith("OK"), fixed_run.response.body


@pytest.mark.parametrize("fixture", CLEAN)
def test_clean_fixture_serves_200_and_lints_clean(fixture, workdir):
    result = gwlint(str(FIXTURES / fixture), "--verify")
    assert result.returncode == 0, result.stdout + result.stderr
    served = serve(FIXTURES / fixture, workdir / "root", CLEAN_PATHS.get(fixture, "/index.php"),
                   port=CLEAN_PORTS.get(fixture, 80))
    assert (served.response.status, served.response.body) == (200, "OK\n"), served.error_log
    assert not re.search(r"\[(crit|error|alert|emerg)\]", served.error_log), served.error_log
    assert not re.search(r"\b(ERROR|ALERT|WARNING):", served.fpm_log), served.fpm_log
