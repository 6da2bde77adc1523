"""Caching for the public, login-free neighbourhood leaderboard: shared caches may keep it a minute."""

from flask import after_this_request, request

MAX_AGE = 60


def cache_publicly(vary: tuple[str, ...] = ()) -> None:
    """Mark this request's response public for MAX_AGE seconds, with an ETag; a matching If-None-Match gets 304."""

    @after_this_request
    def conditional(response):
        if response.status_code != 200:
            return response
        response.cache_control.public = True
        response.cache_control.max_age = MAX_AGE
        response.vary.update(vary)
        response.add_etag()
        return response.make_conditional(request)
