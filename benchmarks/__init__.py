"""Benchmarks of the series: slider updates, notebook run times, BPTT speed, the adding problem (python -m benchmarks)."""
