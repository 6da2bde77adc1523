"""gunicorn's settings, read by `gunicorn wsgi:app` from this folder: no `Server` banner on any answer.

gunicorn writes `Server: gunicorn` itself, before the app's headers, and has no setting to leave it out:
so its response writes its default headers without that line. (Only what gunicorn sends is changed; a
reverse proxy in front may add its own banner, to be switched off there.)
"""

from gunicorn.http import wsgi

_default_headers = wsgi.Response.default_headers


def _default_headers_without_server(self):
    return [line for line in _default_headers(self) if not line.lower().startswith("server:")]


wsgi.Response.default_headers = _default_headers_without_server
