"""Entry point for gunicorn (`wsgi:app`) and Celery (`-A wsgi:celery_app`)."""

from celery import Celery

from webapp import create_app

app = create_app()
celery_app: Celery = app.extensions["celery"]
