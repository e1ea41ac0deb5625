"""gwlint's rules: one module per rule (see gwlint.engine.registry for the contract)."""
