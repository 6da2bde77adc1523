"""Pagination: the API's (flask-smorest's, with `page` and `per_page` query arguments and pages of SQL
selects) and the page number an HTML list asks for.

flask-smorest names the page size `page_size` and offers no way to rename it, so `Blueprint.paginate`
is its decorator again with our argument names; the X-Pagination header is flask-smorest's own, and
documented as the JSON text it is.
"""

import http
from copy import deepcopy
from functools import wraps

import flask_smorest
import marshmallow as ma
from flask import current_app, request
from flask_smorest.pagination import Page, PaginationParameters
from flask_smorest.utils import unpack_tuple_response
from marshmallow import validate
from sqlalchemy import Select, func, select

from app.extensions import db

MAX_PAGE = 1_000_000  # keeps offsets far inside what any database accepts
MAX_HTML_PAGE = 10_000  # nobody pages that far by hand; larger numbers are a typo or a probe


def requested_page(max_page: int = MAX_HTML_PAGE) -> int:
    """The `page` query argument of an HTML list, from 1 to `max_page`; anything unreadable is page 1."""
    return min(max(request.args.get("page", 1, type=int), 1), max_page)


def page_arguments_schema(default_per_page: int, max_per_page: int) -> type[ma.Schema]:
    """The query arguments `page` (from 1) and `per_page` (1 to `max_per_page`)."""

    class PageArgumentsSchema(ma.Schema):
        class Meta:
            unknown = ma.EXCLUDE

        page = ma.fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
        per_page = ma.fields.Integer(load_default=default_per_page, validate=validate.Range(min=1, max=max_per_page))

        @ma.post_load
        def make_parameters(self, data, **kwargs):
            return PaginationParameters(data["page"], data["per_page"])

    return PageArgumentsSchema


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's Blueprint, paginating with `page` and `per_page`."""

    def paginate(self, pager=None, *, per_page: int = 20, max_per_page: int = 100):
        """Paginate like flask-smorest: with a `pager` class the view returns everything, else it
        receives `pagination_parameters` and sets their `item_count`."""
        schema = page_arguments_schema(per_page, max_per_page)
        error_status = self.PAGINATION_ARGUMENTS_PARSER.DEFAULT_VALIDATION_STATUS

        def decorator(func):
            @wraps(func)
            def wrapper(*args, **kwargs):
                params = self.PAGINATION_ARGUMENTS_PARSER.parse(schema, request, location="query")
                if pager is None:
                    kwargs["pagination_parameters"] = params
                result, status, headers = unpack_tuple_response(current_app.ensure_sync(func)(*args, **kwargs))
                if pager is not None:
                    result = pager(result, page_params=params).items
                result, headers = self._set_pagination_metadata(params, result, headers)
                return result, status, headers

            wrapper._apidoc = deepcopy(getattr(wrapper, "_apidoc", {}))
            wrapper._apidoc["pagination"] = {
                "parameters": {"in": "query", "schema": schema},
                "response": {error_status: http.HTTPStatus(error_status).name},
            }
            return wrapper

        return decorator

    def _document_pagination_metadata(self, spec, resp_doc):
        # The header carries JSON text; documented as an object, clients and checkers would expect
        # OpenAPI's "simple" header style (k,v,k,v) instead.
        resp_doc.setdefault("headers", {})[self.PAGINATION_HEADER_NAME] = {
            "description": "Pagination as a JSON object: total, total_pages, first_page, last_page, page, "
            "previous_page, next_page.",
            "schema": {"type": "string"},
        }


class SelectPage(Page):
    """A page of a SQLAlchemy select: counted and fetched in the database, one page at a time."""

    @property
    def item_count(self) -> int:
        return db.session.scalar(select(func.count()).select_from(self.collection.order_by(None).subquery()))

    @property
    def items(self) -> list:
        params = self.page_params
        return list(db.session.scalars(self.collection.limit(params.page_size).offset(params.first_item)))


def page_of(query: Select, params: PaginationParameters) -> list:
    """One page of `query`'s rows, setting the total on `params` for the X-Pagination header."""
    return SelectPage(query, params).items
