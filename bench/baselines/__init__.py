"""Baselines Aviso is compared with in bench/compare.py: HTTP polling and vanilla Channels."""
