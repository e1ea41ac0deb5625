"""The hooks in .pre-commit-hooks.yaml, run by the real `pre-commit run` on temp git repos whose
.pre-commit-config.yaml names this checkout (committed to a temp repo) as the hooks' repo.

These tests need the package index: pre-commit builds the hooks' environment with pip, as for any
user (tens of seconds). They share one pre-commit home, so it is built once for the module
(`pre-commit try-repo` would build a new one on every call).
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.xdist_group("pre-commit")  # one worker, one hook environment (make test: -n 2)

CHECKOUT = Path(__file__).resolve().parent.parent
SITE = "etc/nginx/sites-available/default"
OLD = "fastcgi_pass unix:/run/php/php8.1-fpm.sock;"
NEW = "fastcgi_pass unix:/run/php/php8.2-fpm.sock;"
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_GLOBAL": os.devnull}


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True,
                          env={**os.environ, **GIT_ENV}).stdout


def commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


@pytest.fixture(scope="module")
def hooks_repo(tmp_path_factory) -> Path:
    """The checkout as pre-commit needs it: a git repo with the working tree committed at HEAD."""
    repo = tmp_path_factory.mktemp("hooks") / "gwlint"
    shutil.copytree(CHECKOUT, repo, symlinks=True, ignore=shutil.ignore_patterns(
        ".git", ".venv", "__pycache__", "*.egg-info", ".pytest_cache", ".gwlint_cache", "build",
        ".mypy_cache", ".ruff_cache", ".trees", ".hypothesis"))
    git(repo, "init", "-q")
    commit_all(repo, "gwlint under test")
    return repo


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


def use_hooks(target: Path, hooks: Path, *hook_args: str) -> None:
    """A git repo at `target` (its files committed) whose pre-commit config runs both hooks."""
    rev = git(hooks, "rev-parse", "HEAD").strip()
    args = f"        args: [{', '.join(hook_args)}]\n" if hook_args else ""
    (target / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hooks}\n    rev: {rev}\n    hooks:\n"
        f"      - id: gwlint\n{args}      - id: gwlint-fix\n{args}")
    git(target, "init", "-q")
    commit_all(target, "configs")


def pre_commit(target: Path, cache: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(cache), "NO_COLOR": "1"}
    return subprocess.run([str(Path(sys.executable).parent / "pre-commit"), "run", "--color", "never", *args],
                          cwd=target, capture_output=True, text=True, env=env, timeout=600)


def test_hooks_pass_clean_fail_broken_and_fix_rewrites(hooks_repo, cache, tmp_path):
    target = tmp_path / "configs"
    shutil.copytree(CHECKOUT / "fixtures" / "debian-clean", target, symlinks=True)
    use_hooks(target, hooks_repo)
    clean = pre_commit(target, cache, "gwlint", "--all-files")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "Passed" in clean.stdout

    site = target / SITE
    site.write_text(site.read_text().replace(NEW, OLD))
    commit_all(target, "broken: pool socket of php8.1")
    broken = pre_commit(target, cache, "gwlint", "--from-ref", "HEAD~1", "--to-ref", "HEAD")
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "Failed" in broken.stdout and "GW301" in broken.stdout and f"{SITE}:18" in broken.stdout

    fixed = pre_commit(target, cache, "gwlint-fix", "--from-ref", "HEAD~1", "--to-ref", "HEAD")
    assert fixed.returncode == 1, fixed.stdout + fixed.stderr  # pre-commit fails when a hook edits files
    assert "files were modified by this hook" in fixed.stdout
    assert NEW in site.read_text() and OLD not in site.read_text()
    again = pre_commit(target, cache, "gwlint", "--all-files")
    assert again.returncode == 0, again.stdout + again.stderr


def test_config_with_root_arg_for_a_tree_in_a_subdirectory(hooks_repo, cache, tmp_path):
    """The README's snippet: `args: [--root, deploy]` overrides the hook's `--root .`."""
    target = tmp_path / "repo"
    shutil.copytree(CHECKOUT / "fixtures" / "debian-socket-mismatch", target / "deploy", symlinks=True)
    (target / "deploy" / SITE).with_name("unrelated.conf").write_text("# not included anywhere\n")
    use_hooks(target, hooks_repo, "--root", "deploy")
    broken = pre_commit(target, cache, "gwlint", "--files", f"deploy/{SITE}")
    assert broken.returncode == 1 and f"{SITE}:18: GW301" in broken.stdout, broken.stdout + broken.stderr
    unrelated = pre_commit(target, cache, "gwlint", "--files", "deploy/etc/nginx/sites-available/unrelated.conf")
    assert unrelated.returncode == 0, unrelated.stdout + unrelated.stderr


def test_hook_files_pattern_catches_config_files_including_extensionless_sites():
    import re

    import yaml

    hooks = yaml.safe_load((CHECKOUT / ".pre-commit-hooks.yaml").read_text())
    assert [h["id"] for h in hooks] == ["gwlint", "gwlint-fix"]
    assert all(h["require_serial"] and h["entry"].startswith("gwlint check") for h in hooks)
    pattern = re.compile(hooks[0]["files"])
    assert hooks[1]["files"] == hooks[0]["files"]
    for path in ("etc/nginx/nginx.conf", SITE, "nginx/sites-enabled/app", "etc/nginx/snippets/fastcgi-php.conf",
                 "etc/php/8.2/fpm/pool.d/www.conf", "etc/php/8.2/fpm/php.ini", "etc/php/8.2/fpm/conf.d/10-opcache.ini",
                 "usr/local/etc/php-fpm.d/zz-docker.conf"):
        assert pattern.search(path), path
    for path in ("README.md", "etc/nginx/mime.types.bak/x/y", "src/app.php", "sites-available.md"):
        assert not pattern.search(path), path
