"""Baselines Aviso is compared with in bench/compare.py: HTTP polling and vanilla Channels
(on the core channels-redis layer and on its pub/sub layer)."""
