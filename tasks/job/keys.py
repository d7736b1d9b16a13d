"""Every Redis key, key prefix and channel the service writes, in one place: the job store's, the clients'
quotas, the workers' registry, the metrics, the webhooks' slots, the health probe and the replication fence.

Only the modules that own each kind of data use these names; a new kind of key is added here first, so a
look at this module tells an operator everything the service keeps in Redis.
"""

from __future__ import annotations

#: A job's hash (its JSON, HTML, options, parts, PDF and counters): tasks/job/store.py.
JOB_PREFIX = "pdfjob:"
#: Per client, a sorted set of the ids of the jobs it submitted (GET /api/jobs): tasks/job/store.py.
OWNER_PREFIX = "pdfowned:"
#: A name bound to a job id (a stored result, an Idempotency-Key): tasks/job/store.py, webapp/reuse.py.
NAME_PREFIX = "pdfname:"
#: The names bound under NAME_PREFIX, by what they stand for.
RESULT_NAME = "result:"
IDEMPOTENCY_NAME = "idem:"
#: Per client, the bytes its jobs keep, by job: webapp/quota.py.
QUOTA_PREFIX = "pdfquota:"
#: Render workers and their pool sizes, with a heartbeat: webapp/capacity.py.
WORKERS = "pdfworkers"
#: Counters and histograms every process adds to: tasks/job/metrics.py, webapp/metrics.py.
METRICS_JOBS = "pdfmetrics:jobs"
METRICS_RENDER_SECONDS = "pdfmetrics:render_seconds"
METRICS_RENDER_PAGES = "pdfmetrics:render_pages"
METRICS_STREAMS = "pdfmetrics:streams"
#: Per webhook receiver, the deliveries under way: tasks/delivery/slots.py.
WEBHOOK_SLOTS_PREFIX = "pdfhook:busy:"
#: What /healthz writes to prove the primary takes writes: webapp/health.py.
HEALTH_PROBE = "healthz:probe"
#: What a write waits on for its replicas: tasks/job/replication.py.
REPLICATION_FENCE = "replication:fence"
#: The pub/sub channel of a job's events, and the pattern one subscriber per web process listens to.
CHANNEL_PREFIX = "job:"
CHANNEL_PATTERN = CHANNEL_PREFIX + "*"
