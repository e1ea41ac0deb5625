"""`--nginx-version` reaches the version-aware rules, and a malformed version is a usage error."""

import pytest

from gwlint.cli import app
from gwlint.model.workspace import Options
from gwlint.testing import CliRunner


def test_nginx_version_switches_keepalive_defaults(fixtures_dir):
    root = str(fixtures_dir / "nginx-proxy-faults")
    old = CliRunner().invoke(app, ["check", root])
    new = CliRunner().invoke(app, ["check", root, "--nginx-version", "1.30"])
    assert old.exit_code == new.exit_code == 1
    assert "GW106" in old.output and "assuming nginx 1.22" in old.output
    assert "GW106" not in new.output and "GW105" in new.output


def test_malformed_nginx_version_exits_2(fixtures_dir):
    result = CliRunner().invoke(app, ["check", str(fixtures_dir / "debian-clean"), "--nginx-version", "1.x"])
    assert result.exit_code == 2


def test_options_reject_a_malformed_version():
    with pytest.raises(ValueError, match="not a version"):
        Options(nginx_version="latest")
    assert Options(nginx_version="1.29.7").nginx_version == "1.29.7"
