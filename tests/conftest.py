from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@pytest.fixture(autouse=True, scope="session")
def _fixtures_without_parse_caches():
    """A manual `gwlint check fixtures/x` leaves fixtures/x/.gwlint_cache (gitignored); tests copy
    fixture trees whole, so start from the trees as the repository holds them."""
    import shutil

    for cache_dir in FIXTURES.glob("*/.gwlint_cache"):
        shutil.rmtree(cache_dir, ignore_errors=True)


@pytest.fixture(autouse=True)
def _no_parse_cache(monkeypatch, request):
    """Runs leave the linted trees as they were (tests snapshot them, and the fixtures are the
    repo's); the parse cache has its own tests, which opt back in with the `parse_cache` marker."""
    if request.node.get_closest_marker("parse_cache") is None:
        monkeypatch.setenv("GWLINT_NO_CACHE", "1")


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture
def broken(tmp_path) -> Path:
    """A copy of fixtures/debian-socket-mismatch (one GW301 at sites-available/default:18),
    as a subdirectory `deploy` of a project directory `repo`."""
    import shutil

    root = tmp_path / "repo" / "deploy"
    shutil.copytree(FIXTURES / "debian-socket-mismatch", root, symlinks=True)
    return root


def gwlint(*args: str):
    """Run the CLI in-process; the result has exit_code, stdout and stderr."""
    from gwlint.cli import app
    from gwlint.testing import CliRunner

    return CliRunner().invoke(app, list(args))
