"""Uploads at the same moment (threads with their own sessions and transactions): a file sent twice at once counts
one trip and one track on the grid; residents riding the same streets at once are all counted."""

import threading

from sqlalchemy import func, select

from accounts.models import User
from app.extensions import db
from challenges.models import Submission
from tests.tracks.conftest import gpx_bytes, north, yesterday_at
from tracks import services
from tracks.errors import TrackError
from tracks.models import RouteCell, RouteWeek


def _at_once(app, uploads) -> list:
    """Run each (user id, content) upload in its own thread, released together; what each returned or raised."""
    results, barrier = [None] * len(uploads), threading.Barrier(len(uploads))

    def one(index: int, user_id: int, content: bytes) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                results[index] = services.upload(db.session.get(User, user_id), content, "bike", False)
                db.session.commit()
            except TrackError as error:
                db.session.rollback()
                results[index] = error
            except Exception as error:  # what the test looks for
                db.session.rollback()
                results[index] = repr(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=one, args=(i, *upload)) for i, upload in enumerate(uploads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_the_same_file_twice_at_once_counts_once(app, ctx, mobility, give_consent):
    anna = mobility()
    give_consent(anna, "routes", "network_planning", "city")
    content = gpx_bytes(north(5.0, 20, yesterday_at(8)))
    results = _at_once(app, [(anna.id, content), (anna.id, content)])
    assert all(isinstance(r, services.Upload) for r in results), results
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Submission)) == 1
    assert set(db.session.scalars(select(RouteCell.tracks))) == {1}
    assert db.session.scalar(select(RouteWeek.tracks)) == 1


def test_riders_of_the_same_street_at_once_are_all_counted(app, ctx, mobility, give_consent):
    riders = [mobility() for _ in range(4)]
    for rider in riders:
        give_consent(rider, "routes", "network_planning", "city")
    content = gpx_bytes(north(5.0, 20, yesterday_at(8)))
    results = _at_once(app, [(rider.id, content) for rider in riders])
    assert all(isinstance(r, services.Upload) and r.shared for r in results), results
    db.session.expire_all()
    per_cell = db.session.execute(select(RouteCell.cell, func.count()).group_by(RouteCell.cell)).all()
    assert per_cell and {count for _cell, count in per_cell} == {4}
    assert db.session.scalar(select(func.count()).select_from(RouteWeek)) == 4
