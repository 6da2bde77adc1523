"""The domains that hold personal data: together they write the files README.txt lists, in its order."""

import io
import zipfile
from types import SimpleNamespace

import pytest

from app.extensions import db
from privacy import holders, services
from tests.challenges.conftest import NOW


def test_the_zip_holds_what_the_readme_lists_in_its_order(ctx, make_user):
    """Each domain's files are described in README.txt, none is missing or extra, and they follow its order."""
    resident = db.session.merge(make_user())
    data = services.export_bytes(resident, "https://city.example/privacy", "https://city.example/me/consents", NOW)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.namelist() == ["README.txt", *services.LISTED]


def test_two_domains_never_write_one_file(ctx, make_user, monkeypatch):
    """A second domain writing a file of the same name would hide the first one's data: the export refuses."""
    same = SimpleNamespace(export=lambda user, links: {"profile.json": "{}"})
    monkeypatch.setattr(services, "HOLDERS", (*holders.HOLDERS, same))
    with pytest.raises(ValueError, match=r"profile\.json"):
        services.export_bytes(db.session.merge(make_user()), "p", "w", NOW)
