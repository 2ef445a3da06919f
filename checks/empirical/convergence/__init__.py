"""Empirical confirmations of the convergence theorems (CONV-*)."""
