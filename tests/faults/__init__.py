"""Fault tests with real processes (Daphne, redis-server, Celery workers) that are killed,
frozen and restarted mid-stream; clients are testing.client.ReconnectingClient."""
