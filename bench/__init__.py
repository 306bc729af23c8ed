"""Casework's benchmark harness (QUALITY.md P1-P8): `python -m bench [scenario ...]`."""
