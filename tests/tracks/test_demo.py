"""The demo city's tracks: push-demo gives the planners' grid cells to show, once."""

from sqlalchemy import func, select

from app.extensions import db
from tracks import grid
from tracks.models import RouteCell


def test_push_demo_fills_the_route_grid_once(app, runner, make_user):
    for _ in range(6):
        make_user()
    first = runner.invoke(args=["tracks", "push-demo"])
    assert first.exit_code == 0 and "6 tracks added" in first.output, first.output
    again = runner.invoke(args=["tracks", "push-demo"])
    assert "0 tracks added" in again.output, again.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RouteCell))
        week = db.session.scalar(select(func.min(RouteCell.week)))
        assert grid.build(grid.Query(week, week)).cells  # six riders share the street: shown under k = 5
