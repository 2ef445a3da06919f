"""The provers: SymPy, Z3, and the parity case splits they share."""
