"""GW225: sizes and times read as PHP and php-fpm read them (checked against the real parsers)."""

import re
import shutil
import subprocess

import pytest
from rule_trees import nginx, tree

from gwlint.load.units import php_quantity
from gwlint.model.effective import php_value
from gwlint.testing import lint


def run(files, root):
    r = lint(files, root)
    r.codes_only = ("GW225",)
    r.findings = [f for f in r.findings if f.code == "GW225"]
    return r


def test_10mb_upload_is_10_bytes_with_phps_warning(tmp_path):
    r = run(tree(None, "", "upload_max_filesize = 10MB ; expect: GW225\npost_max_size = 20M\n"), tmp_path)
    r.assert_expected()
    (f,) = r.findings
    assert f.message.startswith("PHP 8.2 reads upload_max_filesize = 10MB as 10 bytes")
    assert 'Invalid quantity "10MB": unknown multiplier "B", interpreting as "10"' in f.message
    [pool] = r.workspace.pools
    assert php_value(pool, "upload_max_filesize").number == 10  # what the other rules see too


def test_128mb_memory_limit_is_refused_and_the_previous_value_stays(tmp_path):
    r = run(tree(None, "php_admin_value[memory_limit] = 128MB ; expect: GW225\n", "memory_limit = 256M\n"), tmp_path)
    r.assert_expected()
    assert "refuses the limit ('Failed to set memory limit to 128 bytes')" in r.findings[0].message
    [pool] = r.workspace.pools
    value = php_value(pool, "memory_limit")
    assert (value.text, value.number, value.at.path) == ("256M", 256 << 20, "etc/php/8.2/fpm/php.ini")


def test_fpm_time_with_two_units_is_read_as_php_fpm_does(tmp_path):
    r = run(tree(None, "request_terminate_timeout = 1m30s ; expect: GW225\nrequest_slowlog_timeout = 30ms ; expect: GW225\n"),
            tmp_path)
    r.assert_expected()
    assert [f.message.partition(":")[0] for f in r.findings] == [
        "php-fpm reads request_terminate_timeout = 1m30s as 1s", "php-fpm reads request_slowlog_timeout = 30ms as 30s"]


def test_nginx_php_value_is_read_too(tmp_path):
    conf = nginx(location='            fastcgi_param PHP_VALUE "post_max_size=8MB";  # expect: GW225\n')
    run(tree(conf), tmp_path).assert_expected()


def test_what_php_reads_as_written_is_clean(tmp_path):
    ini = "memory_limit = -1\nupload_max_filesize = 64M\npost_max_size = 65m\n"
    pool = "request_terminate_timeout = 90s\npm.process_idle_timeout = 10\nphp_value[memory_limit] = ${MEM}\n"
    assert run(tree(None, pool, ini), tmp_path).findings == []


def test_older_php_reads_silently(tmp_path):
    files = {k.replace("8.2", "8.1"): v.replace("8.2", "8.1")
             for k, v in tree(None, "", "upload_max_filesize = 10MB ; expect: GW225\n").items()}
    r = run(files, tmp_path)
    r.assert_expected()
    assert "PHP 8.1 reads upload_max_filesize = 10MB as 10 bytes (without a warning)" in r.findings[0].message
    assert php_quantity("0x10", "8.1") == (0, None) and php_quantity("0x10") == (16, None)


VALUES = ["10MB", "128MB", "10M", "10m", "1G", "1k", "512K", "0x10", "0x1F", "0o17", "017", "0b101", " 5 M",
          "-1", "1.5M", "M", "", "abc", "99999999999999999999", "10MBk", "+5M", "1e3", "08", "0x", "10 MB",
          "-2M", "1T", "0z1", "0", "0M", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
          "0x+1", "1 k", "0b", "- 1", "+", '1"x', "1\\x", "1\x01", "1é", "18446744073709551615", "-0x10", "010M"]


@pytest.mark.skipif(shutil.which("php") is None, reason="php-cli not installed")
def test_php_quantity_is_phps_own_reading():
    """Each value against `php -r 'var_dump(ini_parse_quantity(...))'` of this machine's PHP (8.2+)."""
    version = subprocess.run(["php", "-r", "echo PHP_VERSION;"], capture_output=True, text=True).stdout
    for value in VALUES:
        out = subprocess.run(["php", "-n", "-d", "display_errors=stderr", "-r",
                              "var_dump(ini_parse_quantity($argv[1]));", "--", value],
                             capture_output=True, text=True)
        number = int(re.search(r"int\((-?\d+)\)", out.stdout).group(1))
        warning = re.search(r"Warning:\s+(.*) in Command line", out.stderr + out.stdout)
        assert php_quantity(value, version) == (number, warning.group(1) if warning else None), value
