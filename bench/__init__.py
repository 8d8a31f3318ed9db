"""Benchmarks (not tests): `python -m bench` runs the scale benchmark (bench/scale.py); the others run as
`python -m bench.<name>`."""
