"""`gwlint doctor`: load the tree, lint it, read its logs (and live state), diagnose."""

import os
import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

from gwlint.doctor.diagnose import Report, diagnose
from gwlint.doctor.logparse import LogFile, read_log, rotated
from gwlint.errors import InputError

NGINX_DEFAULT_LOG = "/var/log/nginx/error.log"  # Debian's, RHEL's and nginx.org's compiled-in path


def parse_since(text: str, now: datetime | None = None) -> datetime:
    """`2026-11-27 14:00[:SS]`, `2026-11-27T14:00`, `14:00` (today) or a duration ago: `30m`, `2h`, `1d`."""
    now = now or datetime.now()
    m = re.fullmatch(r"(\d+)\s*([smhd])", text.strip())
    if m:
        return now - timedelta(seconds=int(m.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)])
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d"):
        try:
            return datetime.strptime(text.strip(), fmt)
        except ValueError:
            pass
    for fmt in ("%H:%M:%S", "%H:%M"):
        try:
            t = datetime.strptime(text.strip(), fmt)
            return now.replace(hour=t.hour, minute=t.minute, second=t.second, microsecond=0)
        except ValueError:
            pass
    raise InputError(f"--since {text!r}: expected YYYY-MM-DD HH:MM[:SS], HH:MM, or a duration such as 30m, 2h, 1d")


def is_running_system(root: Path) -> bool:
    return os.path.realpath(root) == "/"


def config_logs(ws) -> list[Path]:
    """The log files the configs name, as files under ROOT: nginx `error_log` (else its default),
    php-fpm's `error_log` and each pool's `slowlog`. A path already inside ROOT (a relocated copy)
    is taken as it is."""
    out: list[Path] = []

    def add(value: str, base: str) -> None:
        if not value or value in ("stderr", "syslog") or value.startswith(("syslog:", "memory:", "/dev/")):
            return
        root = os.path.abspath(ws.root.path)
        if value.startswith(root.rstrip("/") + "/") and root != "/":
            path = Path(value)
        else:
            path = Path(ws.root.map_config_path(value, base))
        if path not in out:
            out.append(path)

    named = ws.directives("error_log")
    for d in named:
        if d.args:
            add(d.args[0], os.path.join(ws.root.path, "etc/nginx"))
    if not named and ws.nginx:
        add(NGINX_DEFAULT_LOG, ws.root.path)
    for install in ws.installs:
        setting = install.global_settings.get("error_log")
        conf_dir = os.path.dirname(os.path.join(ws.root.path, install.conf)) if install.conf else ws.root.path
        if setting is not None:
            add(setting.value, conf_dir)
        for pool in install.pools:
            slow = pool.get("slowlog")
            if slow is not None:
                add(slow.value, conf_dir)
    return out


def read_logs(ws, given: list[Path]) -> tuple[list[LogFile], list[str]]:
    """Logs named with --log as they are, else those the configs name with their rotations."""
    notes = []
    files: list[Path] = []
    if given:
        for path in given:
            if not path.is_file():
                raise InputError("no such log file", str(path))
            files.append(path)
    else:
        for path in config_logs(ws):
            found = rotated(path)
            if not found:
                notes.append(f"{_shown(path, ws.root.path)}: named in the config, not found")
            files += found
    logs = []
    for path in files:
        try:
            logs.append(read_log(path, _shown(path, ws.root.path)))
        except OSError as exc:
            notes.append(f"{_shown(path, ws.root.path)}: cannot read: {exc.strerror or exc}")
    return logs, notes


def _shown(path: Path, root: Path) -> str:
    full, base = os.path.abspath(path), os.path.abspath(root)
    if base != "/" and full.startswith(base.rstrip("/") + "/"):
        return full[len(base.rstrip("/")) + 1:]
    return str(path)


def run(root: Path, logs: Sequence[Path] = (), since: str | None = None, live: bool | None = None,
        config_file: Path | None = None) -> tuple[Report, object]:
    """(report, workspace) for `gwlint doctor ROOT`."""
    from gwlint import api

    result = api.lint(root, config_file)  # the findings `gwlint check ROOT` gives, on the same model
    ws, findings = result.workspace, result.findings
    read, notes = read_logs(ws, list(logs))
    state = None
    if live if live is not None else is_running_system(root):
        from gwlint.doctor.live import snapshot

        state = snapshot(ws)
    report = diagnose(ws, findings, read, state, parse_since(since) if since else None)
    report.notes = notes
    return report, ws
