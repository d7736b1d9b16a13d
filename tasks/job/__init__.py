"""The job: its record, the store that owns it in Redis, and the counters every process adds to."""
