def test_landing_page(client):
    """The landing page explains the programme."""
    assert client.get("/").status_code == 200


def test_login_as_resident(resident_client):
    """A builder user can log in through the form."""
    assert resident_client.get("/profile").status_code == 200
