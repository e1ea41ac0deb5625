"""The baseline: crossplane.parse on one nginx entry file (it follows the includes itself)."""

import sys

import crossplane

payload = crossplane.parse(sys.argv[1])
sys.exit(0 if payload["status"] == "ok" else 3)
