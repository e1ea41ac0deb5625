"""[tool.gwlint] / .gwlint.toml: discovery, selection, severities, per-file ignores, options, paths."""

import json

import pytest
from conftest import gwlint as run

from gwlint.engine import config
from gwlint.engine.finding import Severity
from gwlint.errors import InputError
from gwlint.model.workspace import Options
from gwlint.testing import write_tree

KNOWN = ["GW101", "GW301", "GW302", "GW901", "GW910"]
SITE = "etc/nginx/sites-available/default"


def codes(result) -> list[tuple[str, str]]:
    return [(f["code"], f["severity"]) for f in json.loads(result.stdout)["findings"]]


def test_gwlint_toml_is_found_upward_from_root_and_ignores_a_rule(broken):
    (broken.parent / ".gwlint.toml").write_text('ignore = ["GW3"]\n')
    r = run("check", str(broken), "--format", "json")
    assert (r.exit_code, codes(r)) == (0, [])


def test_pyproject_without_gwlint_table_is_skipped_for_the_next_one_up(broken):
    (broken.parent / "pyproject.toml").write_text('[project]\nname = "x"\n')
    (broken.parent.parent / "pyproject.toml").write_text('[tool.gwlint]\nseverity = { GW301 = "warning" }\n')
    r = run("check", str(broken), "--format", "json")
    assert (r.exit_code, codes(r)) == (1, [("GW301", "warning")])


def test_fail_on_threshold_above_the_findings_exits_zero_but_still_reports(broken):
    (broken / ".gwlint.toml").write_text('fail-on = "error"\n[severity]\nGW301 = "warning"\n')
    r = run("check", str(broken), "--format", "json")
    assert (r.exit_code, codes(r)) == (0, [("GW301", "warning")])


def test_cli_flags_layer_on_the_file_as_ruffs_do(broken):
    (broken / ".gwlint.toml").write_text('ignore = ["GW301"]\nfail-on = "error"\n')
    r = run("check", str(broken), "--format", "json", "--ignore", "GW9")
    assert (r.exit_code, codes(r)) == (0, [])  # --ignore adds to the file's ignore list
    r = run("check", str(broken), "--format", "json", "--select", "gw3")
    assert (r.exit_code, codes(r)) == (1, [("GW301", "error")])  # --select starts a new selection
    r = run("check", str(broken), "--format", "json", "--config", str(broken / ".gwlint.toml"), "--select", "GW9")
    assert (r.exit_code, codes(r)) == (0, [])
    r = run("check", str(broken), "--format", "json", "--fail-on", "info")
    assert (r.exit_code, codes(r)) == (0, [])


def test_extend_keys_in_the_file(broken):
    (broken / ".gwlint.toml").write_text('select = ["GW1"]\nextend-select = ["gw301"]\n')
    assert codes(run("check", str(broken), "--format", "json")) == [("GW301", "error")]
    (broken / ".gwlint.toml").write_text('extend-ignore = ["GW3"]\n')
    assert codes(run("check", str(broken), "--format", "json")) == []
    (broken / ".gwlint.toml").write_text('extend-exclude = ["etc/nginx"]\n')
    assert codes(run("check", str(broken), "--format", "json")) == []
    (broken / ".gwlint.toml").write_text('exclude = "etc"\n')
    r = run("check", str(broken))
    assert r.exit_code == 2 and "exclude: expected a list of root-relative globs" in r.stderr


def test_codes_are_case_insensitive_in_the_file(broken):
    (broken / ".gwlint.toml").write_text('ignore = ["gw301"]\n[severity]\ngw301 = "info"\n')
    assert codes(run("check", str(broken), "--format", "json")) == []


def test_per_file_ignores_match_root_relative_globs(broken):
    (broken / ".gwlint.toml").write_text('[per-file-ignores]\n"etc/nginx/sites-*/*" = ["GW30"]\n')
    assert codes(run("check", str(broken), "--format", "json")) == []
    (broken / ".gwlint.toml").write_text('[per-file-ignores]\n"etc/php/**" = ["GW301"]\n')
    assert codes(run("check", str(broken), "--format", "json")) == [("GW301", "error")]


@pytest.mark.parametrize("text, expected", [
    ('selct = ["GW3"]\n', "selct: unknown key; did you mean 'select'?"),
    ('fail-on = "wraning"\n', "fail-on: 'wraning' is not a severity (error, warning, info); did you mean 'warning'?"),
    ('ignore = ["GW3001"]\n', "ignore: unknown rule code 'GW3001'; did you mean 'GW301'?"),
    ('ignore = "GW301"\n', "ignore: expected a list of codes"),
    ('nginx-usr = "www-data"\n', "nginx-usr: unknown key; did you mean 'nginx-user'?"),
    ('[severity]\nGW301 = "fatal"\n', "severity.GW301: 'fatal' is not a severity"),
    ('[paths]\n"etc/nginx" = "nginx"\n', "paths.'etc/nginx': config paths are absolute"),
    ("select = [\n", "invalid TOML"),
])
def test_bad_config_is_one_clear_error_with_exit_2(broken, text, expected):
    (broken / ".gwlint.toml").write_text(text)
    r = run("check", str(broken))
    assert r.exit_code == 2
    assert expected in r.stderr and ".gwlint.toml" in r.stderr and "Traceback" not in r.output


def test_select_and_ignore_longest_prefix_wins():
    cfg = config.from_dict({"select": ["GW3"], "ignore": ["GW30", "GW910"]}, KNOWN)
    assert [c for c in KNOWN if cfg.selects(c)] == []
    cfg = config.from_dict({"select": ["GW301", "GW9"], "ignore": ["GW30"]}, KNOWN)
    assert [c for c in KNOWN if cfg.selects(c)] == ["GW301", "GW901", "GW910"]
    assert [c for c in KNOWN if config.Config().selects(c)] == KNOWN


def test_rule_options_map_to_options_fields_from_the_dataclass():
    assert {"nginx-user", "fpm-master-user"} <= set(config.option_fields())
    cfg = config.from_dict({"nginx-user": "www-data", "fpm-master-user": "php"}, KNOWN)
    opts = cfg.model_options()
    assert (opts.nginx_user, opts.fpm_master_user) == ("www-data", "php")
    assert Options().nginx_user == "nobody"


def test_option_values_convert_to_the_field_type():
    def fail(message):
        return InputError(message)

    assert config._option("2G", int | None, fail) == 2 * 1024 ** 3
    assert config._option(512, int | None, fail) == 512
    assert config._option(1.22, str, fail) == "1.22"
    assert config._option({"app": "10.0.0.5:9000"}, dict[str, str], fail) == {"app": "10.0.0.5:9000"}
    assert config._option(True, bool, fail) is True
    with pytest.raises(InputError, match="expected true or false"):
        config._option("yes", bool, fail)
    with pytest.raises(InputError, match="is not a number or size"):
        config._option("lots", int | None, fail)
    with pytest.raises(InputError, match="expected str, got list"):
        config._option(["a"], str, fail)


def test_nginx_user_from_config_is_passed_to_the_model(broken, monkeypatch):
    seen = {}
    import gwlint.model.workspace

    real = gwlint.model.workspace.load_workspace

    def spy(*args, **kwargs):
        seen["options"] = kwargs["options"]
        return real(*args, **kwargs)

    monkeypatch.setattr(gwlint.model.workspace, "load_workspace", spy)
    (broken / ".gwlint.toml").write_text('nginx-user = "www-data"\n')
    run("check", str(broken))
    assert seen["options"].nginx_user == "www-data"
    run("check", str(broken), "--nginx-user", "nginx")
    assert seen["options"].nginx_user == "nginx"


NGINX = """events {}
http {
    include /etc/nginx/sites-enabled/*;
}
"""
SITE_TEXT = """server {
    listen 80;
    location ~ \\.php$ {
        fastcgi_pass unix:/run/php/php8.1-fpm.sock;
    }
}
"""


def test_path_mapping_resolves_includes_in_a_repo_not_laid_out_like_root(tmp_path):
    root = write_tree({
        "nginx/nginx.conf": NGINX,
        "nginx/sites-enabled/app": SITE_TEXT,
        "php/php-fpm.conf": "[global]\ninclude=/etc/php/8.2/fpm/pool.d/*.conf\n",
        "php/pool.d/www.conf": "[www]\nlisten = /run/php/php8.2-fpm.sock\npm = static\npm.max_children = 5\n",
    }, tmp_path)
    (root / ".gwlint.toml").write_text('[paths]\n"/etc/nginx" = "elsewhere"\n"/etc/php/8.2/fpm" = "elsewhere"\n')
    unmapped = run("check", str(root), "--format", "json")
    assert codes(unmapped) == [("GW907", "error")]  # the includes point outside the tree: php-fpm would find no pool
    (root / ".gwlint.toml").write_text('[paths]\n"/etc/nginx" = "nginx"\n"/etc/php/8.2/fpm" = "php"\n')
    mapped = json.loads(run("check", str(root), "--format", "json").stdout)["findings"]
    assert [(f["code"], f["path"], f["line"]) for f in mapped] == [("GW301", "nginx/sites-enabled/app", 4)]
    assert mapped[0]["related"][0]["path"] == "php/pool.d/www.conf"


def test_severity_enum_values_are_the_config_vocabulary():
    assert config.SEVERITIES == tuple(s.value for s in Severity) == ("error", "warning", "info")


def test_options_fields_added_by_other_rules_are_configurable(monkeypatch):
    """Fields added to the global Options are configurable: read from its __init__'s annotations."""
    import gwlint.model.workspace

    class Extended(Options):
        __slots__ = ("worker_budget",)

        def __init__(self, nginx_user: str = "nobody", nginx_version: str = "1.22",
                     worker_budget: int | None = None) -> None:
            super().__init__(nginx_user=nginx_user, nginx_version=nginx_version)
            self.worker_budget = worker_budget

    monkeypatch.setattr(gwlint.model.workspace, "Options", Extended)
    cfg = config.from_dict({"nginx-version": "1.26", "worker-budget": "2G", "nginx-user": "www-data"}, KNOWN)
    opts = cfg.model_options()
    assert (opts.nginx_version, opts.worker_budget, opts.nginx_user) == ("1.26", 2 * 1024 ** 3, "www-data")
    with pytest.raises(InputError, match="worker-bugdet: unknown key; did you mean 'worker-budget'"):
        config.from_dict({"worker-bugdet": "2G"}, KNOWN)


def test_missing_config_file_given_with_config_is_an_error(broken):
    r = run("check", str(broken), "--config", str(broken / "nope.toml"))
    assert r.exit_code == 2 and "nope.toml: cannot read config: No such file or directory" in r.stderr


def test_readme_rule_options_example_sets_the_options():
    import tomllib

    from readme_snippets import snippet

    from gwlint import api

    table = tomllib.loads(snippet("rule-options"))["tool"]["gwlint"]
    cfg = api.configure(table)
    assert cfg.rule_options == {"fpm-memory-over-budget": {"budget": 4 * 1024 ** 3},
                                "proxy-target-undeclared": {"enabled": True}}
