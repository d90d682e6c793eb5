"""What ops see from inside the running product: Prometheus metrics and structured logs. Used by
the API, the worker and activities alike; it imports nothing of theirs."""
