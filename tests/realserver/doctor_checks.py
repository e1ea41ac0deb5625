"""`gwlint doctor` checks run on every real-server case's broken servers (tests/realserver/test_realserver.py):
the diagnosis of the logs they wrote must name the rule and the file:line `gwlint check` reports."""

import json
import re
from pathlib import Path

from conftest import gwlint as in_process


def gwlint(*args) -> dict:
    """The CLI in-process (a subprocess per call doubled this module's time), its JSON output."""
    run = in_process(*map(str, args), "--format", "json")
    assert run.exit_code in (0, 1), run.stdout + run.stderr
    return json.loads(run.stdout)


def server_logs(relocation) -> list[str]:
    """The logs the servers wrote (nginx runs with `-e logs/nginx-error.log`, whatever error_log says)."""
    logs = sorted(p for p in (relocation.root / "logs").glob("*.log") if "access" not in p.name)
    return [arg for p in logs for arg in ("--log", str(p))]


def unrelocated(relocation, dest: Path) -> Path:
    """The servers' logs as if written by the original tree's servers: the copy's prefix removed,
    loopback ports and addresses mapped back (the post-mortem case: logs copied from a server)."""
    back = {str(new): str(old) for old, new in relocation.ports.items()}
    hosts = {new: old for old, new in relocation.hosts.items()}

    def host_port(m):
        host = hosts.get(m.group(1), m.group(1))
        return f"{host}:{back.get(m.group(2), m.group(2))}"

    dest.mkdir()
    for p in (relocation.root / "logs").glob("*.log"):
        text = re.sub(r"(127\.0\.0\.\d+):(\d+)", host_port, relocation.unrelocate(p.read_text()))
        (dest / p.name).write_text(text)
    return dest


def check_diagnosis(doc: dict, expected: set, case) -> None:
    named = [d for d in doc["diagnoses"] if (d["code"], d["path"], d["line"]) in expected]
    assert named, json.dumps(doc, indent=1)
    assert named[0]["status"] == case.status and "nginx-error.log" in named[0]["log"]["file"]
    assert doc["unexplained"] == [], json.dumps(doc["unexplained"], indent=1)


def assert_doctor_names(key: str, case, tree: Path, relocation, workdir: Path) -> None:
    """Diagnose the logs the broken servers of `case` wrote, twice: offline on the original `tree`
    with the logs mapped back (ports, the copy's prefix), and on the relocated root with its logs."""
    codes = {key, *case.also}

    # offline, on the original tree with the logs copied off the server
    expected = {(f["code"], f["path"], f["line"]) for f in gwlint("check", tree)["findings"] if f["code"] in codes}
    assert expected
    logs = unrelocated(relocation, workdir / "copied-logs")
    check_diagnosis(gwlint("doctor", tree, "--no-live", *(a for p in sorted(logs.glob("*.log")) if "access" not in
                                                           p.name for a in ("--log", p))), expected, case)

    # on the relocated root the servers ran, with the logs they wrote: where the relocation keeps the
    # fault visible to the rule (a LAN address turned loopback hides GW303/GW361 there)
    root = relocation.root
    expected = {(f["code"], f["path"], f["line"]) for f in gwlint("check", root)["findings"] if f["code"] in codes}
    if expected:
        check_diagnosis(gwlint("doctor", root, "--no-live", *server_logs(relocation)), expected, case)
