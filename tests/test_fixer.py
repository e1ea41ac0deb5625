"""The fix loop, --diff against real git and patch, --fix in place, and what --fix must refuse."""

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import gwlint as in_process

from gwlint.engine.finding import Edit, Finding, Fix
from gwlint.errors import InputError
from gwlint.fix import loop as fixer
from gwlint.model.workspace import load_workspace
from gwlint.testing import lint, write_tree

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
BROKEN = sorted(p.name for p in FIXTURES.iterdir() if not p.name.endswith("-clean"))
CONF = "etc/nginx/nginx.conf"


def gwlint(*args, text=True) -> SimpleNamespace:
    """The CLI in-process, its result shaped as subprocess.run's (the pipe test below runs the real
    process); `text=False` gives the bytes written."""
    result = in_process(*map(str, args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    if text:
        return SimpleNamespace(returncode=result.exit_code, stdout=result.stdout, stderr=result.stderr)
    out, err = (s.encode("utf-8", "surrogateescape") for s in (result.stdout, result.stderr))
    return SimpleNamespace(returncode=result.exit_code, stdout=out, stderr=err)


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    return {p.relative_to(root).as_posix(): (p.read_bytes(), stat.S_IMODE(p.lstat().st_mode))
            for p in sorted(root.rglob("*")) if p.is_file() and not p.is_symlink()}


def copy_fixture(name: str, tmp_path: Path) -> Path:
    dest = tmp_path / name
    shutil.copytree(FIXTURES / name, dest, symlinks=True)
    return dest


# the loop with toy rules -----------------------------------------------------------------------

def run_loop(root: Path, rule, unsafe=False) -> fixer.FixResult:
    """fix_loop over a real workspace with `rule(ws, lines) -> [Finding]` as the only rule."""
    def lint(ws):
        lines = ws.root.read_text(f"{ws.root.path}/{CONF}").split("\n")
        return sorted(list(ws.problems) + list(rule(ws, lines)), key=Finding.sort_key)
    return fixer.fix_loop(lambda overlay: load_workspace(root, overlay=overlay), lint, unsafe)


def line_fix(n, new, title, code="GW001", safe=True):
    return Finding(title, CONF, n, fix=Fix(title, (Edit(CONF, n, n, (new,)),), safe), code=code)


def tree(tmp_path, text="events {}\ngzip off;\nsendfile off;\n"):
    return write_tree({CONF: text}, tmp_path)


def test_independent_fixes_apply_in_one_pass_and_converge(tmp_path):
    def rule(ws, lines):
        return [line_fix(i, line.replace("off", "on"), f"turn on line {i}")
                for i, line in enumerate(lines, 1) if line.endswith(" off;")]
    result = run_loop(tree(tmp_path), rule)
    assert result.fixed[CONF] == "events {}\ngzip on;\nsendfile on;\n"
    assert len(result.applied) == 2 and result.remaining == []


def test_overlapping_fixes_wait_for_the_next_pass(tmp_path):
    passes = []

    def rule(ws, lines):
        passes.append(1)
        out = []
        if "gzip off;" in lines:
            out.append(line_fix(2, "gzip on;", "A", code="GW001"))
        if "gzip_comp_level 5;" not in lines:  # wants to insert before line 2: overlaps A's span
            out.append(Finding("B", CONF, 2, fix=Fix("B", (Edit(CONF, 2, 1, ("gzip_comp_level 5;",)),)),
                               code="GW002"))
        return out
    result = run_loop(tree(tmp_path), rule)
    assert result.fixed[CONF] == "events {}\ngzip_comp_level 5;\ngzip on;\nsendfile off;\n"
    assert [f.code for f in result.applied] == ["GW001", "GW002"] and len(passes) == 3 + 1


def test_fixes_that_undo_each_other_change_nothing_and_report_gw904_at_the_line(tmp_path):
    def rule(ws, lines):
        return [line_fix(2, "gzip on;" if lines[1] == "gzip off;" else "gzip off;", "flip")]
    root = tree(tmp_path)
    result = run_loop(root, rule)
    assert result.changed == [] and result.applied == [] and fixer.unified_diff(result) == ""
    (problem,) = [f for f in result.remaining if f.code == "GW904"]
    assert (problem.path, problem.line) == (CONF, 2) and "no fix was applied" in problem.message


def test_a_fix_that_never_settles_is_bounded(tmp_path):
    def rule(ws, lines):
        return [Finding("grow", CONF, 1, fix=Fix("add a line", (Edit(CONF, 2, 1, (f"# {len(lines)}",)),)),
                        code="GW001")]
    result = run_loop(tree(tmp_path), rule)
    assert result.changed == []
    (problem,) = [f for f in result.remaining if f.code == "GW904"]
    assert f"still changing after {fixer.MAX_PASSES} passes" in problem.message and problem.line == 1


def test_a_fix_that_breaks_parsing_is_reverted_and_reported_gw905(tmp_path):
    def rule(ws, lines):
        out = []
        if "sendfile off;" in lines:
            out.append(line_fix(3, "sendfile on;", "good"))
        if "gzip off;" in lines:
            out.append(line_fix(2, "gzip {", "bad"))
        return out
    root = write_tree({CONF: "events {}\ngzip off;\n", "etc/nginx/other.conf": "x;\n"}, tmp_path)
    (root / CONF).write_text("events {}\ngzip off;\nsendfile off;\n")
    result = run_loop(root, rule)
    assert result.fixed[CONF] == "events {}\ngzip off;\nsendfile on;\n"
    gw905 = [f for f in result.remaining if f.code == "GW905"]
    assert len(gw905) == 1 and (gw905[0].path, gw905[0].line) == (CONF, 2)
    assert "fix reverted (bad)" in gw905[0].message and 'block is never closed' in gw905[0].message
    assert [f.fix.title for f in result.applied] == ["good"]


def test_unsafe_fixes_only_when_asked(tmp_path):
    def rule(ws, lines):
        return [line_fix(2, "gzip on;", "t", safe=False)] if "gzip off;" in lines else []
    assert run_loop(tree(tmp_path / "a"), rule).changed == []
    assert run_loop(tree(tmp_path / "b"), rule, unsafe=True).changed == [CONF]


def test_apply_edits_keeps_form_feeds_and_mixed_endings():
    text = "a;\x0c\r\nb;\nc;"
    assert fixer.apply_edits(text, [Edit("f", 2, 2, ("B;",))]) == "a;\x0c\r\nB;\r\nc;"
    assert fixer.apply_edits("a;\nb;", [Edit("f", 3, 2, ("c;",))]) == "a;\nb;\nc;"


# --diff: real git and patch on pristine copies ---------------------------------------------------

def odd_tree(tmp_path: Path) -> Path:
    """The socket mismatch in a CRLF file with a BOM, and in a 3-line file with a BOM and without
    a final newline (its hunk holds the first and the last line)."""
    root = copy_fixture("debian-socket-mismatch", tmp_path)
    site = root / "etc/nginx/sites-available/default"
    site.write_bytes(b"\xef\xbb\xbf" + site.read_bytes().replace(b"\n", b"\r\n"))
    upstream = "upstream old {\n    server unix:/run/php/php8.1-fpm.sock;\n}"
    (root / "etc/nginx/conf.d/old.conf").write_bytes(b"\xef\xbb\xbf" + upstream.encode())
    (root / "etc/nginx/conf.d/use.conf").write_text(
        "server {\n    listen 81;\n    location ~ \\.php$ {\n        fastcgi_pass old;\n    }\n}\n")
    return root


DIFF_TREES = [*BROKEN, "odd"]
FIXABLE = {"debian-socket-mismatch", "demo", "odd"}  # trees known to have safe fixes


def broken_tree(name, tmp_path):
    return odd_tree(tmp_path) if name == "odd" else copy_fixture(name, tmp_path)


@pytest.mark.parametrize("name", DIFF_TREES)
def test_diff_applies_with_git_apply_and_patch(name, tmp_path):
    root = broken_tree(name, tmp_path / "src")
    before = snapshot(root)
    run = gwlint("check", root, "--diff", text=False)  # bytes: CRLF lines must reach the tools as they are
    if name not in FIXABLE and run.stdout == b"":
        assert run.returncode == 0
        return
    assert run.returncode == 1 and run.stdout.startswith((b"--- a/etc/", b"--- a/usr/"))
    assert snapshot(root) == before  # --diff changes nothing
    patch_file = tmp_path / "fix.patch"
    patch_file.write_bytes(run.stdout)
    for tool in (["git", "apply", "--check", str(patch_file)], ["patch", "-p1", "--dry-run", "-i", str(patch_file)]):
        pristine = broken_tree(name, tmp_path / tool[0])
        check = subprocess.run(tool, cwd=pristine, capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
    # applied for real, git's result is exactly what --fix writes
    applied = broken_tree(name, tmp_path / "applied")
    subprocess.run(["git", "apply", str(patch_file)], cwd=applied, check=True)
    fixed = broken_tree(name, tmp_path / "fixed")
    assert gwlint("check", fixed, "--fix").returncode in (0, 1)
    assert snapshot(applied) == snapshot(fixed)


def test_odd_files_keep_bom_crlf_and_missing_final_newline(tmp_path):
    root = odd_tree(tmp_path)
    assert gwlint("check", root, "--fix").returncode == 0
    site = (root / "etc/nginx/sites-available/default").read_bytes()
    assert site.startswith(b"\xef\xbb\xbf") and b"php8.2-fpm.sock;\r\n" in site and b"\n" not in site.replace(b"\r\n", b"")
    assert (root / "etc/nginx/conf.d/old.conf").read_bytes() == \
        b"\xef\xbb\xbfupstream old {\n    server unix:/run/php/php8.2-fpm.sock;\n}"


def test_clean_fixture_diff_is_empty():
    run = gwlint("check", FIXTURES / "debian-clean", "--diff")
    assert (run.returncode, run.stdout, run.stderr) == (0, "", "")


def test_diff_says_on_stderr_what_it_fixes_and_what_remains(tmp_path):
    run = gwlint("check", write_tree(AMBIGUOUS, tmp_path), "--diff")
    assert (run.returncode, run.stdout) == (0, "")  # only an unsafe fix: nothing to apply
    assert run.stderr == "gwlint: the diff fixes 0 finding(s); 1 remain\n"
    run = gwlint("check", FIXTURES / "debian-socket-mismatch", "--diff")
    assert run.stderr == "gwlint: the diff fixes 1 finding(s); 0 remain\n"


# --fix in place ----------------------------------------------------------------------------

@pytest.mark.parametrize("name", BROKEN)
def test_fix_then_second_fix_changes_nothing(name, tmp_path):
    root = copy_fixture(name, tmp_path)
    first = gwlint("check", root, "--fix")
    assert name not in FIXABLE or "fixed etc/nginx/sites-available/" in first.stderr
    after_first = snapshot(root)
    second = gwlint("check", root, "--fix")
    assert snapshot(root) == after_first and "fixed" not in second.stderr
    assert gwlint("check", root, "--diff").stdout == ""
    assert second.returncode == first.returncode
    findings = json.loads(gwlint("check", root, "--format", "json").stdout)["findings"]
    assert [f for f in findings if f["fix"] and f["fix"]["applicability"] == "safe"] == []
    assert "GW301" not in {f["code"] for f in findings}


def test_fix_reports_fixed_and_exit_0_when_nothing_remains(tmp_path):
    root = copy_fixture("debian-socket-mismatch", tmp_path)
    run = gwlint("check", root, "--fix")
    assert run.returncode == 0
    assert run.stderr == ("fixed etc/nginx/sites-available/default:18: GW301 point fastcgi_pass at "
                          "unix:/run/php/php8.2-fpm.sock\n")
    assert run.stdout == ("Checked nginx: 5 files, 1 server; php-fpm 8.2: 1 pool, php.ini + 1 conf.d file.\n"
                          "All checks passed.\n")
    assert "fastcgi_pass unix:/run/php/php8.2-fpm.sock;" in (root / "etc/nginx/sites-available/default").read_text()
    assert os.path.islink(root / "etc/nginx/sites-enabled/default")  # edited through, not replaced


# a pool nginx (worker: nobody) may open and php-fpm would start; the tests vary only its listen
VALID_POOL = "listen.owner = nobody\nlisten.group = nobody\npm = static\npm.max_children = 2\n"
AMBIGUOUS = {
    CONF: "events {}\nhttp {\n    server {\n        location ~ \\.php$ {\n"
          "            fastcgi_pass unix:/run/php/php7.4-fpm.sock;\n        }\n    }\n}\n",
    "etc/php/8.2/fpm/php-fpm.conf": "[a]\nlisten = /run/php/php8.1-fpm.sock\n" + VALID_POOL +
                                    "[b]\nlisten = /run/php/php8.2-fpm.sock\n" + VALID_POOL,
}


def test_unsafe_fix_needs_unsafe_fixes_and_fix_exits_1_while_findings_remain(tmp_path):
    root = write_tree(AMBIGUOUS, tmp_path)
    before = snapshot(root)
    run = gwlint("check", root, "--fix")
    assert run.returncode == 1 and snapshot(root) == before
    assert "fix (unsafe): point fastcgi_pass at" in run.stdout and "1 finding (1 error)" in run.stdout
    assert gwlint("check", root, "--diff").stdout == ""
    assert gwlint("check", root, "--diff", "--unsafe-fixes").stdout.count("+            fastcgi_pass") == 1
    run = gwlint("check", root, "--fix", "--unsafe-fixes")
    assert run.returncode == 0 and "fixed etc/nginx/nginx.conf:5: GW301" in run.stderr


def test_shared_include_fix_is_unsafe(tmp_path):
    root = write_tree({
        CONF: "events {}\nhttp {\n    server { listen 80; include php.conf; }\n    server { listen 81; include php.conf; }\n}\n",
        "etc/nginx/php.conf": "location ~ \\.php$ {\n    fastcgi_pass unix:/run/php/php8.1-fpm.sock;\n}\n",
        "etc/php/8.2/fpm/php-fpm.conf": "[www]\nlisten = /run/php/php8.2-fpm.sock\n" + VALID_POOL}, tmp_path)
    run = gwlint("check", root, "--format", "json")
    assert '"applicability": "unsafe"' in run.stdout
    assert gwlint("check", root, "--fix").returncode == 1
    assert gwlint("check", root, "--fix", "--unsafe-fixes").returncode == 0


def test_fix_keeps_file_mode(tmp_path):
    root = copy_fixture("debian-socket-mismatch", tmp_path)
    site = root / "etc/nginx/sites-available/default"
    os.chmod(site, 0o640)
    assert gwlint("check", root, "--fix").returncode == 0
    assert stat.S_IMODE(site.stat().st_mode) == 0o640
    assert not list(site.parent.glob(".*gwlint"))  # no temp file left behind


def test_read_only_file_is_a_clear_error_and_nothing_is_written(tmp_path):
    root = copy_fixture("demo", tmp_path)
    (root / "etc/nginx/conf.d/old.conf").write_text(
        "server {\n    listen 82;\n    location / {\n        fastcgi_pass unix:/run/php/php8.1-fpm.sock;\n    }\n}\n")
    os.chmod(root / "etc/nginx/sites-available/wordpress", 0o444)
    before = snapshot(root)
    run = gwlint("check", root, "--fix")
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert run.stderr == ("gwlint: error: etc/nginx/sites-available/wordpress: cannot write the fix: the file or "
                          "its directory is read-only; nothing was written\n")
    assert snapshot(root) == before  # conf.d/old.conf was fixable too, and is untouched


def test_write_never_follows_a_symlink_out_of_the_root(tmp_path):
    root = write_tree({CONF: "events {}\n", "etc/nginx/a.conf": "gzip off;\n"}, tmp_path / "root")
    outside = tmp_path / "outside.conf"
    outside.write_text("gzip off;\n")
    ws = load_workspace(root)
    os.symlink("../../../outside.conf", root / "etc/nginx/b.conf")
    os.symlink(outside, root / "etc/nginx/c.conf")  # absolute: means ROOT/<that path>, which is absent
    for link in ("b.conf", "c.conf"):
        rel = f"etc/nginx/{link}"
        result = fixer.FixResult(original={"etc/nginx/a.conf": "gzip off;\n", rel: "gzip off;\n"},
                                 fixed={"etc/nginx/a.conf": "gzip on;\n", rel: "gzip on;\n"})
        with pytest.raises(InputError) as info:
            fixer.write_fixed(ws, result)
        assert str(info.value).startswith(f"{rel}: refusing to write outside the linted root")
        assert outside.read_text() == "gzip off;\n" and (root / "etc/nginx/a.conf").read_text() == "gzip off;\n"


def test_lint_helper_keeps_safe_and_unsafe_fix_results_apart(tmp_path):
    r = lint(AMBIGUOUS, tmp_path)
    assert r.fixed().changed == [] and r.fixed(unsafe=True).changed == [CONF]


def test_demo_diff_piped_into_git_apply_check(tmp_path):
    src, pristine = copy_fixture("demo", tmp_path / "src"), copy_fixture("demo", tmp_path / "pristine")
    pipe = subprocess.run(f'"{sys.executable}" -m gwlint check "{src}" --diff | git apply --check -v',
                          shell=True, cwd=pristine, capture_output=True, text=True)
    assert pipe.returncode == 0, pipe.stderr
    assert "Checking patch etc/nginx/sites-available/wordpress..." in pipe.stderr
