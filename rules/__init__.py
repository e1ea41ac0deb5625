"""gwlint's rules: one module per rule (see gwlint.registry for the contract)."""
