"""Reading: discovery, the file-system root, and the readers (nginx, INI, units, accounts, dumps, cache)."""
