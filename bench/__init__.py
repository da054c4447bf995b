"""Reproducible benchmarks of the heavy paths; `python3 bench/run.py` runs them all."""
