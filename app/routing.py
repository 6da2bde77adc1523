"""URL converters: ids in URLs stay within the database's integer range."""

from werkzeug.routing import IntegerConverter

MAX_ID = 2_147_483_647  # PostgreSQL's integer; larger ids cannot exist, so they are simply 404


class DatabaseIdConverter(IntegerConverter):
    """`<int:...>` limited to what an id column can hold, so no lookup overflows the driver."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def init_app(app) -> None:
    app.url_map.converters["int"] = DatabaseIdConverter
