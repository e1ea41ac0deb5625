"""Output formats: text, json, github, sarif, and the --verbose inventory."""
