"""An example gwlint rule plugin (tests/test_plugins.py, README "Rule plugins")."""
