"""Zero 500s from input: control characters in paths, JSON too large or too deep, bodies past
MAX_CONTENT_LENGTH; each is refused with a clear answer before anything reads or parses it."""

import io

import pytest

from app.security import json_too_deep

MAX_CONTENT = 3 * 1024 * 1024


@pytest.mark.parametrize("path", ["/badges/assertions/%00", "/badges/assertions/a%01b", "/me/vouchers/%7f", "/%00"])
def test_control_characters_in_a_path_are_not_found(resident_client, path):
    """A NUL (once a psycopg.DataError, a 500) or another control character in a path segment is a 404."""
    assert resident_client.get(path).status_code == 404


def test_json_nested_100000_deep_is_refused_before_parsing(resident_client):
    """100,000 nested arrays (once a RecursionError, a 500) are a 400 in the one JSON error shape."""
    response = resident_client.patch("/api/v1/me", data="[" * 100_000 + "]" * 100_000, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["message"] == "The JSON is nested too deeply."


def test_json_larger_than_its_limit_is_refused_in_the_callers_language(client):
    """A JSON body past 256 KB is a 413 before it is parsed, with the message in the caller's language."""
    body = '{"pseudonym": "' + "x" * 300_000 + '"}'
    response = client.patch("/api/v1/me", data=body, content_type="application/json", headers={"Accept-Language": "de"})
    assert response.status_code == 413
    assert response.get_json()["message"] == "Die Anfrage ist zu groß."


def test_bodies_past_max_content_length_are_refused_as_they_arrive(app, resident_client):
    """MAX_CONTENT_LENGTH is set: a larger upload is a 413 page, a larger API body a 413 JSON answer."""
    assert app.config["MAX_CONTENT_LENGTH"] == MAX_CONTENT
    upload = resident_client.post(
        "/challenges/1/upload", data={"file": (io.BytesIO(b"x" * (MAX_CONTENT + 1)), "big.csv")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert upload.status_code == 413
    assert "too large for this site" in upload.get_data(as_text=True)
    api = resident_client.post("/api/v1/rewards/1/redeem", data=b"{" + b" " * MAX_CONTENT + b"}",
                               content_type="application/json")  # fmt: skip
    assert api.status_code == 413
    assert api.get_json()["message"] == "The request is too large."


@pytest.mark.parametrize(
    ("body", "deep"),
    [
        (b'{"a": [1, {"b": [2]}]}', False),
        (b"[" * 33 + b"]" * 33, True),
        (b'{"a": "' + b"[" * 100 + b'"}', False),  # brackets inside a string do not nest
        (b'{"a": "\\"' + b"[" * 100 + b'"}', False),  # nor after an escaped quote
    ],
)
def test_json_depth_is_counted_without_parsing(body, deep):
    """The depth check counts brackets outside strings only."""
    assert json_too_deep(body, 32) is deep


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "message"),
    [
        ("get", "/api/v1/nothing-here", None, 404, "Nicht gefunden."),
        ("delete", "/api/v1/rewards", None, 405, "Diese Methode ist hier nicht erlaubt."),
        ("get", "/api/v1/challenges?status=nonsense", None, 422, "Die Eingabe ist ungültig."),
    ],
)
def test_api_errors_speak_the_callers_language(client, method, path, body, status, message):
    """The message of an API error is in the caller's language, like its field errors (once always English)."""
    response = getattr(client, method)(path, json=body, headers={"Accept-Language": "de"})
    assert (response.status_code, response.get_json()["message"]) == (status, message)


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "/challenges?q=a%1bb", None),  # an escape in a query value
        ("get", "/challenges?%07=1", None),  # a bell in a query name
        ("post", "/profile", {"pseudonym": "Ana\x1b[31m"}),  # a terminal escape typed into a form
        ("post", "/profile", {"pseudonym\x08": "Ana"}),
    ],
)
def test_control_characters_in_queries_and_forms_are_refused(resident_client, method, path, data):
    """No one types an escape, a bell or a backspace: refused with a 400 before anything reads the field."""
    response = getattr(resident_client, method)(path, data=data)
    assert response.status_code == 400


def test_tabs_and_line_breaks_in_a_text_area_are_text(app, resident_client):
    """A description with line breaks and a tab passes the control-character check (the form decides)."""
    response = resident_client.post("/profile", data={"pseudonym": "Ana\tBerg\r\n"})
    assert response.status_code != 400
