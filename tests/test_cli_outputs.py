"""Machine outputs that survive failure (exit 2 and 3 still write a valid document, -o always
writes), SARIF fixes and invocations, and one path convention for every format."""

import json
import re
import shutil

import jsonschema
import pytest
from conftest import gwlint as run
from test_output import sarif_schema

SITE = "etc/nginx/sites-available/default"
POOL = "etc/php/8.2/fpm/pool.d/www.conf"
BROKEN_NGINX = b"events {}\nhttp {\n    server {\n"


def sarif_errors(log: dict) -> list:
    return list(jsonschema.Draft4Validator(sarif_schema()).iter_errors(log))


@pytest.fixture
def unparsable(tmp_path):
    """A tree whose nginx.conf never closes its server block (exit 2 at line 3), in `work/deploy`."""
    root = tmp_path / "work" / "deploy"
    (root / "etc/nginx").mkdir(parents=True)
    (root / "etc/nginx/nginx.conf").write_bytes(BROKEN_NGINX)
    return root


# exit 2: every machine format still writes its document ---------------------------------------

def test_json_on_exit_2_has_the_error_with_path_and_line(unparsable, monkeypatch):
    monkeypatch.chdir(unparsable.parent)
    r = run("check", "deploy", "--output-format", "json")
    assert r.exit_code == 2 and r.stderr.startswith("gwlint: error: deploy/etc/nginx/nginx.conf:3: ")
    doc = json.loads(r.stdout)
    assert doc["findings"] == [] and doc["summary"]["total"] == 0 and doc["root"] == "deploy"
    assert doc["errors"] == [{"path": "deploy/etc/nginx/nginx.conf", "line": 3,
                              "message": '"server" block is never closed (unexpected end of file, expecting "}")'}]


def test_sarif_on_exit_2_is_valid_with_a_failed_invocation(unparsable, monkeypatch, tmp_path):
    monkeypatch.chdir(unparsable.parent)
    out = tmp_path / "gwlint.sarif"
    r = run("check", "deploy", "--output-format", "sarif", "-o", str(out))
    assert r.exit_code == 2 and r.stdout == ""
    log = json.loads(out.read_text())
    assert sarif_errors(log) == []
    (invocation,) = log["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False and invocation["exitCode"] == 2
    (note,) = invocation["toolExecutionNotifications"]
    assert note["level"] == "error" and "never closed" in note["message"]["text"]
    loc = note["locations"][0]["physicalLocation"]
    assert (loc["artifactLocation"]["uri"], loc["region"]["startLine"]) == ("deploy/etc/nginx/nginx.conf", 3)
    assert log["runs"][0]["results"] == [] and log["runs"][0]["tool"]["driver"]["rules"]


def test_github_on_exit_2_is_an_error_annotation(unparsable, monkeypatch):
    monkeypatch.chdir(unparsable.parent)
    r = run("check", "deploy", "--output-format", "github")
    assert r.exit_code == 2
    assert r.stdout == ("::error file=deploy/etc/nginx/nginx.conf,line=3,title=gwlint error::"
                        '"server" block is never closed (unexpected end of file, expecting "}")\n')


@pytest.mark.parametrize("fmt", ["full", "concise", "json", "sarif", "github"])
def test_output_file_is_always_written(unparsable, tmp_path, fmt):
    out = tmp_path / f"report.{fmt}"
    r = run("check", str(unparsable), "--output-format", fmt, "-o", str(out))
    assert r.exit_code == 2 and r.stdout == "" and r.stderr.count("\n") == 1
    assert "etc/nginx/nginx.conf" in out.read_text() and "never closed" in out.read_text()
    missing = run("check", str(tmp_path / "nope"), "--output-format", fmt, "-o", str(out))
    assert missing.exit_code == 2 and "no such file or directory" in out.read_text()


def test_json_on_an_internal_error_is_still_a_document(broken, monkeypatch):
    def boom(ws, rules=None, config=None):
        raise KeyError("surprise")

    monkeypatch.setattr("gwlint.engine.runner.run", boom)
    r = run("check", str(broken), "--output-format", "json")
    assert r.exit_code == 3
    (error,) = json.loads(r.stdout)["errors"]
    assert error["path"] is None and error["message"].startswith("internal error: KeyError: 'surprise'")


def test_a_usage_error_in_a_config_file_is_a_document_too(broken):
    (broken / ".gwlint.toml").write_text('selct = ["GW3"]\n')
    r = run("check", str(broken), "--output-format", "sarif")
    log = json.loads(r.stdout)
    assert r.exit_code == 2 and sarif_errors(log) == []
    note = log["runs"][0]["invocations"][0]["toolExecutionNotifications"][0]
    assert "did you mean 'select'" in note["message"]["text"]


# SARIF: fixes and invocations ------------------------------------------------------------------

def test_sarif_carries_fixes_as_artifact_changes_and_the_invocation(broken, monkeypatch):
    monkeypatch.chdir(broken.parent.parent)
    r = run("check", "repo/deploy", "--output-format", "sarif")
    log = json.loads(r.stdout)
    assert r.exit_code == 1 and sarif_errors(log) == []
    assert log["runs"][0]["invocations"] == [{"executionSuccessful": True}]
    (result,) = log["runs"][0]["results"]
    (fix,) = result["fixes"]
    assert fix["description"]["text"] == "point fastcgi_pass at unix:/run/php/php8.2-fpm.sock (safe)"
    (change,) = fix["artifactChanges"]
    assert change["artifactLocation"]["uri"] == f"repo/deploy/{SITE}"
    assert change["replacements"] == [{
        "deletedRegion": {"startLine": 18, "startColumn": 1, "endLine": 19, "endColumn": 1},
        "insertedContent": {"text": "        fastcgi_pass unix:/run/php/php8.2-fpm.sock;\n"}}]
    # applying the replacement as a SARIF consumer would gives what --fix writes
    lines = (broken / SITE).read_text().splitlines(keepends=True)
    patched = "".join(lines[:17]) + change["replacements"][0]["insertedContent"]["text"] + "".join(lines[18:])
    run("check", "repo/deploy", "--fix")
    assert (broken / SITE).read_text() == patched


def test_sarif_insertions_are_empty_regions():
    from gwlint.engine.finding import Edit, Fix
    from gwlint.output.sarif import _fix

    fix = _fix("", Fix("insert", (Edit("a.conf", 4, 3, ("    x on;",)),)))
    (replacement,) = fix["artifactChanges"][0]["replacements"]
    assert replacement["deletedRegion"] == {"startLine": 4, "startColumn": 1, "endLine": 4, "endColumn": 1}
    assert replacement["insertedContent"] == {"text": "    x on;\n"}


# one path convention --------------------------------------------------------------------------

def paths_in(fmt: str, text: str) -> set[str]:
    """The file paths a report names, per format."""
    if fmt == "json":
        doc = json.loads(text)
        return {f["path"] for f in doc["findings"]} | {r["path"] for f in doc["findings"] for r in f["related"]}
    if fmt == "sarif":
        return set(re.findall(r'"uri": "([^"]+)"', text))
    if fmt == "github":
        return set(re.findall(r"file=([^,]+),", text)) | set(re.findall(r"%0A([^:%]+):\d+:", text))
    if fmt == "diff":
        return {p[2:] for p in re.findall(r"^(?:---|\+\+\+) (\S+)", text, re.M)}
    return set(re.findall(r"^(?:    = )?([a-z][\w./-]+):\d+:", text, re.M))


@pytest.mark.parametrize("fmt", ["full", "concise", "json", "sarif", "github", "diff"])
def test_paths_are_relative_to_the_current_directory_when_root_is_inside_it(broken, monkeypatch, fmt):
    monkeypatch.chdir(broken.parent.parent)  # the checkout; ROOT is repo/deploy
    args = ["--diff"] if fmt == "diff" else ["--output-format", fmt]
    r = run("check", "repo/deploy", *args)
    expected = {f"repo/deploy/{SITE}"} if fmt in ("concise", "diff") else {f"repo/deploy/{SITE}", f"repo/deploy/{POOL}"}
    assert paths_in(fmt, r.stdout) == expected
    monkeypatch.chdir(broken)  # ROOT is the current directory: the same paths from here
    r = run("check", *args)
    assert paths_in(fmt, r.stdout) == {p.removeprefix("repo/deploy/") for p in expected}


@pytest.mark.parametrize("fmt", ["full", "concise", "json", "sarif", "github", "diff"])
def test_paths_are_relative_to_root_when_root_is_elsewhere(broken, monkeypatch, tmp_path, fmt):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    args = ["--diff"] if fmt == "diff" else ["--output-format", fmt]
    r = run("check", str(broken), *args)
    expected = {SITE} if fmt in ("concise", "diff") else {SITE, POOL}
    assert paths_in(fmt, r.stdout) == expected


def test_errors_and_fix_notes_follow_the_convention(broken, monkeypatch):
    monkeypatch.chdir(broken.parent)
    r = run("check", "deploy", "--fix")
    assert r.stderr.startswith(f"fixed deploy/{SITE}:18: GW301 ")
    (broken / POOL).write_text("[www]\nlisten /run/x.sock\n")
    r = run("check", "deploy")
    assert r.stderr == f"gwlint: error: deploy/{POOL}:2: expected 'key = value', got 'listen /run/x.sock'\n"


def test_diff_from_the_checkout_applies_there(broken, monkeypatch):
    import subprocess

    if shutil.which("patch") is None:
        pytest.skip("no patch(1)")
    checkout = broken.parent.parent
    monkeypatch.chdir(checkout)
    patch = run("check", "repo/deploy", "--diff").stdout
    done = subprocess.run(["patch", "-p1"], input=patch, text=True, capture_output=True, cwd=checkout)
    assert done.returncode == 0, done.stderr
    assert run("check", "repo/deploy").exit_code == 0


def test_a_bad_option_still_writes_the_output_file(tmp_path):
    out = tmp_path / "gwlint.sarif"
    r = run("check", str(tmp_path), "--fial-on", "x", "--output-format", "sarif", "-o", str(out))
    assert r.exit_code == 2 and r.stderr.startswith("gwlint: error: unknown option --fial-on")
    log = json.loads(out.read_text())
    assert sarif_errors(log) == [] and log["runs"][0]["invocations"][0]["executionSuccessful"] is False
