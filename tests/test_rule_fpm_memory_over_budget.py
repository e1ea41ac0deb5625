from rule_trees import tree

from gwlint.cli import app
from gwlint.testing import CliRunner, lint, write_tree

API = ("[api]\nuser = www-data\nlisten = /run/php/api.sock\npm = static\npm.max_children = 20\n"
       "listen.owner = www-data\nlisten.group = www-data\n")
GIB = 1024**3


def files(api=API, php_ini="memory_limit = 128M\n"):
    out = tree(None, "", php_ini)
    out["etc/php/8.2/fpm/pool.d/api.conf"] = api
    return out


def test_over_budget_points_at_the_largest_pool(tmp_path):
    r = lint(files(), tmp_path, config={"rules": {"fpm-memory-over-budget": {"budget": 2 * GIB}}})
    (f,) = [f for f in r.findings if f.code == "GW224"]
    assert (f.path, f.line) == ("etc/php/8.2/fpm/pool.d/api.conf", 5)
    assert "3.12G" in f.message and "budget 2G" in f.message
    assert "'api' 20 x memory_limit 128M (etc/php/8.2/fpm/php.ini:1)" in f.message
    assert ("etc/php/8.2/fpm/pool.d/www.conf", 7) in [(x.path, x.line) for x in f.related]


def test_pool_memory_limit_override_counts(tmp_path):
    api = API + "php_admin_value[memory_limit] = 32M\n"
    assert [f.code for f in lint(files(api), tmp_path, config={"rules": {"fpm-memory-over-budget": {"budget": 2 * GIB}}}).findings] == []


def test_unlimited_memory_limit_is_over_any_budget(tmp_path):
    r = lint(files(php_ini="memory_limit = -1\n"), tmp_path, config={"rules": {"fpm-memory-over-budget": {"budget": 64 * GIB}}})
    (f,) = r.findings
    assert "unbounded" in f.message


def test_off_without_a_budget(tmp_path):
    assert lint(files(php_ini="memory_limit = -1\n"), tmp_path).findings == []


def test_cli_memory_budget_option(tmp_path):
    root = write_tree(files(), tmp_path)
    runner = CliRunner()
    flagged = runner.invoke(app, ["check", str(root), "--memory-budget", "2G"])
    assert flagged.exit_code == 1 and "GW224" in flagged.output
    assert runner.invoke(app, ["check", str(root), "--memory-budget", "4G"]).exit_code == 0
    assert runner.invoke(app, ["check", str(root)]).exit_code == 0
    assert runner.invoke(app, ["check", str(root), "--memory-budget", "lots"]).exit_code == 2


def test_budget_is_a_rule_option_with_did_you_mean(tmp_path):
    root = write_tree(files(), tmp_path)
    (root / ".gwlint.toml").write_text('[rules.fpm-memory-over-budget]\nbudget = "2G"\n')
    runner = CliRunner()
    assert "GW224" in runner.invoke(app, ["check", str(root)]).output
    (root / ".gwlint.toml").write_text('memory-budget = "2G"\n')  # the top-level key it had before
    assert "GW224" in runner.invoke(app, ["check", str(root)]).output
    (root / ".gwlint.toml").write_text('[rules.fpm-memory-over-budget]\nbudgte = "2G"\n')
    bad = runner.invoke(app, ["check", str(root)])
    assert bad.exit_code == 2 and bad.output.count("\n") == 1
    assert "rules.fpm-memory-over-budget.budgte: unknown option; did you mean 'budget'?" in bad.output
    (root / ".gwlint.toml").write_text('[rules.fpm-memory-over-budgte]\nbudget = "2G"\n')
    assert "unknown rule; did you mean 'fpm-memory-over-budget'?" in runner.invoke(app, ["check", str(root)]).output
    (root / ".gwlint.toml").write_text('[rules.GW224]\nbudget = "2G"\n')
    assert "did you mean 'fpm-memory-over-budget'?" in runner.invoke(app, ["check", str(root)]).output
    (root / ".gwlint.toml").write_text('[rules.fastcgi-pass-no-pool]\nbudget = "2G"\n')
    assert "GW301 has no options" in runner.invoke(app, ["check", str(root)]).output
    doc = runner.invoke(app, ["rule", "GW224"]).output
    assert "## Options\nSet under `[tool.gwlint.rules.fpm-memory-over-budget]`" in doc
    assert "- `budget` (int, default unset): memory all PHP-FPM pools may use" in doc
