"""Where the real nginx and php-fpm are, for tests that check gwlint against them."""

import glob
import os
import shutil

import pytest

NGINX = shutil.which("nginx") or next(iter(glob.glob("/usr/sbin/nginx")), None)
PHP_FPM = shutil.which("php-fpm") or next(iter(sorted(glob.glob("/usr/sbin/php-fpm*"), reverse=True)), None)


def require(*binaries: str | None) -> None:
    """Skip when a server binary is missing; under CI=true that is a failure, not a skip."""
    if all(binaries):
        return
    if os.environ.get("CI") == "true":
        pytest.fail("nginx and php-fpm must be installed in CI (make servers)")
    pytest.skip("nginx or php-fpm is not installed")
