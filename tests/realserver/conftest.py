"""Real-server tests (`realserver`; `realserver(root=False)` needs only the binaries) skip loudly without nginx/php-fpm or root; under CI=true that is a failure."""

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from realserver.harness import missing_servers


@pytest.fixture(autouse=True)
def _real_servers_available(request):
    marker = request.node.get_closest_marker("realserver")
    if marker is None:
        return
    reason = missing_servers(need_root=marker.kwargs.get("root", True))
    if reason is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but the real-server tests cannot run: {reason}")
    pytest.skip(f"REAL-SERVER TESTS SKIPPED: {reason}")


@pytest.fixture
def workdir():
    """A temp dir the servers' unprivileged workers can traverse (pytest's tmp_path is 0700).

    GWLINT_RS_KEEP=1 keeps it (configs, logs) for a look after the run."""
    path = Path(tempfile.mkdtemp(prefix="gwlint-rs-"))
    path.chmod(0o755)
    yield path
    if os.environ.get("GWLINT_RS_KEEP") == "1":
        print(f"kept {path}")
    else:
        shutil.rmtree(path, ignore_errors=True)
