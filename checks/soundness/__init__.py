"""Whether a proof proves its statement: coverage, tautologies, provenance."""
