"""Rule registry, configuration, suppressions and the run that turns rules into findings."""
