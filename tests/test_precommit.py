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
    git(repo, "init", "-q", "-b", "main")  # the README's snippet names `rev: main`
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
    git(target, "add", "-A")  # the gate lints what is staged: the fix counts once added
    again = pre_commit(target, cache, "gwlint", "--all-files")
    assert again.returncode == 0, again.stdout + again.stderr


def test_config_with_root_arg_for_a_tree_in_a_subdirectory(hooks_repo, cache, tmp_path):
    """The README's snippet: `args: [--root, deploy]` names the tree (the gate's FILEs narrow the report)."""
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
    # the gate runs on every commit (deletions, etc/group, units...) and lints the index
    assert hooks[0]["always_run"] and "files" not in hooks[0] and "--staged" in hooks[0]["entry"]
    pattern = re.compile(hooks[1]["files"])
    for path in ("etc/nginx/nginx.conf", SITE, "nginx/sites-enabled/app", "etc/nginx/snippets/fastcgi-php.conf",
                 "etc/php/8.2/fpm/pool.d/www.conf", "etc/php/8.2/fpm/php.ini", "etc/php/8.2/fpm/conf.d/10-opcache.ini",
                 "usr/local/etc/php-fpm.d/zz-docker.conf"):
        assert pattern.search(path), path
    for path in ("README.md", "etc/nginx/mime.types.bak/x/y", "src/app.php", "sites-available.md"):
        assert not pattern.search(path), path


# the gate lints the commit being made ------------------------------------------------------------

POOL_APP = "[app]\nuser = www-data\ngroup = www-data\nlisten = /run/php/app.sock\nlisten.owner = app\n" \
    "listen.group = app\nlisten.mode = 0660\npm = static\npm.max_children = 2\n"
APP_SITE = "server {\n    listen 8080;\n    root /var/www/html;\n    location ~ \\.php$ {\n" \
    "        include snippets/fastcgi-php.conf;\n        fastcgi_pass unix:/run/php/app.sock;\n    }\n}\n"


@pytest.fixture
def staged_repo(tmp_path, hooks_repo) -> Path:
    """debian-clean plus a second pool `app` (socket app:app 0660, nginx's www-data in group app) and
    a site using it, committed: clean."""
    target = tmp_path / "configs"
    shutil.copytree(CHECKOUT / "fixtures" / "debian-clean", target, symlinks=True)
    (target / "etc/php/8.2/fpm/pool.d/app.conf").write_text(POOL_APP)
    (target / "etc/nginx/sites-available/app").write_text(APP_SITE)
    (target / "etc/nginx/sites-enabled/app").symlink_to("/etc/nginx/sites-available/app")
    with open(target / "etc/passwd", "a") as fh:
        fh.write("app:x:1001:1001::/srv/app:/usr/sbin/nologin\n")
    with open(target / "etc/group", "a") as fh:
        fh.write("app:x:1001:www-data\n")
    use_hooks(target, hooks_repo)
    return target


def test_gate_blocks_deleting_a_pool_a_site_uses(hooks_repo, cache, staged_repo):
    git(staged_repo, "rm", "-q", "etc/php/8.2/fpm/pool.d/app.conf")
    run = pre_commit(staged_repo, cache, "gwlint")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "etc/nginx/sites-available/app:6: GW301" in run.stdout  # in a file the commit does not touch


def test_gate_blocks_a_site_pointing_at_an_untracked_pool(hooks_repo, cache, staged_repo):
    site = staged_repo / "etc/nginx/sites-available/app"
    site.write_text(APP_SITE.replace("app.sock", "new.sock"))
    git(staged_repo, "add", "etc/nginx/sites-available/app")
    (staged_repo / "etc/php/8.2/fpm/pool.d/new.conf").write_text(POOL_APP.replace("[app]", "[new]")
                                                                  .replace("app.sock", "new.sock"))
    run = pre_commit(staged_repo, cache, "gwlint")  # new.conf is untracked: not in the commit
    assert run.returncode == 1 and "etc/nginx/sites-available/app:6: GW301" in run.stdout, run.stdout + run.stderr
    git(staged_repo, "add", "etc/php/8.2/fpm/pool.d/new.conf")
    run = pre_commit(staged_repo, cache, "gwlint")
    assert run.returncode == 0, run.stdout + run.stderr


def test_gate_blocks_taking_nginx_out_of_the_sockets_group(hooks_repo, cache, staged_repo):
    group = staged_repo / "etc/group"
    group.write_text(group.read_text().replace("app:x:1001:www-data", "app:x:1001:"))
    git(staged_repo, "add", "etc/group")
    run = pre_commit(staged_repo, cache, "gwlint")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "etc/php/8.2/fpm/pool.d/app.conf" in run.stdout and "GW320" in run.stdout


def test_gate_passes_an_unrelated_change(hooks_repo, cache, staged_repo):
    (staged_repo / "README.md").write_text("servers\n")
    (staged_repo / "etc/php/8.2/fpm/pool.d/broken.conf").write_text("[broken\n")  # untracked: not linted
    git(staged_repo, "add", "README.md")
    run = pre_commit(staged_repo, cache, "gwlint")
    assert run.returncode == 0 and "Passed" in run.stdout, run.stdout + run.stderr


def test_readme_snippet_works_as_written(hooks_repo, cache, tmp_path):
    import re

    readme = (CHECKOUT / "README.md").read_text()
    snippet = re.search(r"```yaml\n(# \.pre-commit-config\.yaml.*?)```", readme, re.S).group(1)
    assert "rev: main" in snippet
    target = tmp_path / "configs"
    shutil.copytree(CHECKOUT / "fixtures" / "debian-clean", target, symlinks=True)
    (target / ".pre-commit-config.yaml").write_text(snippet.replace("<URL of the gwlint git repository>",
                                                                    str(hooks_repo)))
    git(target, "init", "-q")
    commit_all(target, "clean")
    run = pre_commit(target, cache, "--all-files")
    assert run.returncode == 0 and "gwlint" in run.stdout and "Passed" in run.stdout, run.stdout + run.stderr
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(cache), "NO_COLOR": "1"}
    pinned = subprocess.run([str(Path(sys.executable).parent / "pre-commit"), "autoupdate", "--color", "never"],
                            cwd=target, capture_output=True, text=True, env=env, timeout=600)
    assert pinned.returncode == 0, pinned.stdout + pinned.stderr  # what the README tells users to run next
    rev = git(hooks_repo, "rev-parse", "HEAD").strip()
    assert f"rev: {rev}" in (target / ".pre-commit-config.yaml").read_text()
