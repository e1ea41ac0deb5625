"""`gwlint check --verify`: `nginx -t` and `php-fpm -t` on a relocated temp copy of the tree.

Each failure becomes a finding at the file:line the server names (GW920 nginx, GW921 php-fpm).
A server whose binary is not installed is skipped with a note, not a finding.
"""

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from gwlint.engine.finding import Finding
from gwlint.engine.toolcodes import FPM_TEST_FAILS, NGINX_TEST_FAILS, ToolCode
from gwlint.verify.relocate import Relocation, relocate

TIMEOUT = 30
_NGINX_LINE = re.compile(r"^nginx: \[(emerg|alert|crit)\] (.*?)(?: in (/\S+):(\d+))?$")
_FPM_LINE = re.compile(r"(?:ERROR|ALERT): (?:\[(/[^\]:]+):(\d+)\] )?(.*)$")
# follow-up lines php-fpm prints after the real error: one cause, one finding
_FPM_CASCADE = re.compile(r"FPM initialization failed|failed to load configuration|Unable to include|"
                          r"failed to post process the configuration")


def find_nginx() -> str | None:
    """The nginx binary: $GWLINT_NGINX, else nginx on PATH or in /usr/sbin."""
    return os.environ.get("GWLINT_NGINX") or shutil.which("nginx") or _existing("/usr/sbin/nginx")


def find_php_fpm(version: str | None = None) -> str | None:
    """The php-fpm binary: $GWLINT_PHP_FPM, else php-fpm`version` (Debian's php-fpm8.2) when
    installed, else php-fpm on PATH, else the newest /usr/sbin/php-fpmX.Y."""
    found = os.environ.get("GWLINT_PHP_FPM") or (version and (shutil.which(f"php-fpm{version}")
                                                                 or _existing(f"/usr/sbin/php-fpm{version}")))
    found = found or shutil.which("php-fpm")
    if found:
        return found
    versions = sorted(Path("/usr/sbin").glob("php-fpm*"),
                      key=lambda p: [int(n) for n in re.findall(r"\d+", p.name)])
    return str(versions[-1]) if versions else None


def _existing(path: str) -> str | None:
    return path if os.access(path, os.X_OK) else None


def verify(root: Path, overlay: dict[str, str] | None = None, nginx: Sequence[str] = (),
           fpm: Sequence[str] = ()) -> tuple[list[Finding], list[str]]:
    """Findings from the servers' own config tests, and notes about what was skipped."""
    nginx_bin, fpm_bin = find_nginx(), find_php_fpm()
    notes = [f"--verify: {name} not installed; `{name} -t` skipped"
             for name, found in (("nginx", nginx_bin), ("php-fpm", fpm_bin)) if not found]
    findings: list[Finding] = []
    with tempfile.TemporaryDirectory(prefix="gwlint-verify-") as tmp:
        reloc = relocate(root, Path(tmp) / "root", overlay=overlay, nginx=nginx, fpm=fpm)
        if nginx_bin:
            for nginx_run in reloc.nginx:
                rc, out = _run(nginx_run.argv(nginx_bin, reloc.root, "-t", "-q"))
                if rc != 0:  # (the entry file is in the copy: original() finds it; "" is "no location")
                    findings += _nginx_findings(out, reloc, reloc.original(str(nginx_run.conf)) or "")
        notes += reloc.notes
        if fpm_bin:
            for fpm_run in reloc.fpm:
                binary = find_php_fpm(fpm_run.php_version) or fpm_bin
                entry = fpm_run.entry or reloc.original(str(fpm_run.conf)) or ""
                unset = fpm_run.unset_env()
                if unset:
                    notes.append(f"--verify: `php-fpm -t` skipped for {entry}: its settings read "
                                 f"{', '.join('${' + n + '}' for n in unset)} from the environment, unset here "
                                 "(set them to test the values the server gets)")
                    continue
                notes += _version_note(binary, fpm_run.php_version, entry)
                if fpm_run.master is not None:  # the tree's php-fpm is not root: test it as that user
                    os.chmod(tmp, 0o755)
                    fpm_run.hand_over(reloc.root)
                rc, out = _run(fpm_run.argv(binary, "-t"), fpm_run.env())
                if rc != 0:
                    findings += _fpm_findings(out, reloc, entry)
    return sorted(findings, key=Finding.sort_key), notes


def binary_php_version(binary: str) -> str | None:
    """"8.2" from `php-fpm -v` (`PHP 8.2.36 (fpm-fcgi) ...`), None when it does not say."""
    _, out = _run([binary, "-v"])
    m = re.search(r"PHP (\d+\.\d+)", out)
    return m.group(1) if m else None


def _version_note(binary: str, tree: str | None, entry: str) -> list[str]:
    """A note when the tree names another PHP version than the php-fpm that tests it."""
    found = binary_php_version(binary) if tree else None
    if tree is None or found is None or found == tree:
        return []
    return [f"--verify: {entry} is PHP {tree}'s, tested with {binary} (PHP {found}): a setting the two "
            "versions read differently may pass or fail here otherwise than on the server"]


def _run(argv: list[str], env: dict | None = None) -> tuple[int, str]:
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=TIMEOUT, env=env,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return 1, f"ERROR: {argv[0]} -t did not finish in {TIMEOUT}s"
    return proc.returncode, proc.stdout + proc.stderr


def _finding(code: ToolCode, message: str, path: str | None, line: str | None,
             reloc: Relocation, entry: str) -> Finding:
    rel = reloc.original(path) if path else None
    return code.finding(reloc.unrelocate(message), rel or entry, int(line) if rel and line else 1)


def _nginx_findings(output: str, reloc: Relocation, entry: str) -> list[Finding]:
    out = []
    for line in output.splitlines():
        m = _NGINX_LINE.match(line.strip())
        if m and "configuration file" not in m.group(2):
            out.append(_finding(NGINX_TEST_FAILS,
                                f"`nginx -t` fails: {m.group(2)}; nginx will not start or reload",
                                m.group(3), m.group(4), reloc, entry))
    return out or [_finding(NGINX_TEST_FAILS,
                            f"`nginx -t` fails: {output.strip()[-300:]}", None, None, reloc, entry)]


def _fpm_findings(output: str, reloc: Relocation, entry: str) -> list[Finding]:
    out = []
    for line in output.splitlines():
        m = _FPM_LINE.search(line)
        if m and not _FPM_CASCADE.search(m.group(3)):
            out.append(_finding(FPM_TEST_FAILS,
                                f"`php-fpm -t` fails: {m.group(3)}; php-fpm will not start",
                                m.group(1), m.group(2), reloc, entry))
    return out or [_finding(FPM_TEST_FAILS,
                            f"`php-fpm -t` fails: {output.strip()[-300:]}", None, None, reloc, entry)]
