"""Experiments behind claims in the notebooks: scripts that write committed result files (see README.md)."""
