"""The `html2pdf` command: the service's client, on the standard library alone (no Flask, no Celery)."""
