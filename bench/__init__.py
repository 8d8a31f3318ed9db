"""Benchmarks (not tests): `python -m bench` runs every bench/*.py module's main() in turn."""
