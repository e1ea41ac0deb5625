"""`gwlint check --staged`: the commit being made (the index) against HEAD, temp copies removed."""

import os
import shutil
import subprocess
from pathlib import Path

from gwlint.cli import app
from gwlint.testing import CliRunner

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SITE = "etc/nginx/sites-available/default"
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_GLOBAL": os.devnull}


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env={**os.environ, **GIT_ENV})


def repo(tmp_path: Path) -> Path:
    target = tmp_path / "repo"
    shutil.copytree(FIXTURES / "debian-clean", target / "deploy", symlinks=True)
    git(target, "init", "-q")
    git(target, "add", "-A")
    git(target, "commit", "-q", "-m", "clean")
    return target


def test_staged_lints_the_index_not_the_work_tree_and_cleans_up(tmp_path, monkeypatch):
    target = repo(tmp_path)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr("tempfile.tempdir", None)
    monkeypatch.chdir(target)
    site = target / "deploy" / SITE
    site.write_text(site.read_text().replace("php8.2-fpm.sock", "php8.1-fpm.sock"))  # unstaged: not linted
    assert CliRunner().invoke(app, ["check", "--staged", "--root", "deploy"]).exit_code == 0
    git(target, "add", "-A")
    result = CliRunner().invoke(app, ["check", "--staged", "--root", "deploy"])
    assert result.exit_code == 1 and result.stdout.startswith(f"deploy/{SITE}:18: GW301"), result.output
    git(target, "commit", "-q", "-m", "broken")  # now in HEAD too: not caused by the next commit
    assert CliRunner().invoke(app, ["check", "--staged", "--root", "deploy"]).exit_code == 0
    result = CliRunner().invoke(app, ["check", "--staged", "--root", "deploy", f"deploy/{SITE}"])
    assert result.exit_code == 1  # a FILE named (pre-commit --all-files) reports what it holds
    assert list(scratch.iterdir()) == []


def test_staged_refuses_fix_and_outside_git(tmp_path):
    result = CliRunner().invoke(app, ["check", "--staged", "--fix"])
    assert result.exit_code == 2 and "--staged lints the commit as it is" in result.stderr
    (tmp_path / "plain").mkdir()
    result = CliRunner().invoke(app, ["check", "--staged", "--root", str(tmp_path / "plain")])
    assert result.exit_code == 2 and result.stderr.startswith("gwlint: error: --staged: ")
