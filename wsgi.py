"""WSGI entry point: `gunicorn wsgi:app`. Web processes also run the in-app scheduler (see app/scheduler.py)."""

from app import create_app
from app.scheduler import start_in_app

app = create_app()
start_in_app(app)
