"""The registry of kinds: every challenge and submission finds its kind, and every kind brings all its parts."""

from challenges import kinds
from challenges.kinds import KINDS, SubmissionCreateSchema
from challenges.models import Challenge, Submission, SubmissionKind
from challenges.scoring import METRICS_BY_CATEGORY, Category

# The macros the pages call on a kind's template; a kind without one of them would break a page.
PAGE_PIECES = (
    "fields", "resident_form", "waiting", "desk_form", "sent_by", "describe", "upload_help", "facts", "about_baseline",
    "chart_title", "chart_table", "what_counts", "cap_note", "baseline_rules", "emission_factors", "emission_note",
    "checks",
)  # fmt: skip


def test_every_category_and_code_leads_to_one_kind():
    """A challenge finds its kind by category, a submission by its stored code, and both agree."""
    assert sorted(kind.category for kind in KINDS) == sorted(Category)
    assert sorted(kind.code for kind in KINDS) == sorted(SubmissionKind)
    for kind in KINDS:
        assert kinds.of_challenge(Challenge(category=kind.category)) is kind
        assert kinds.of_submission(Submission(kind=kind.code)) is kind
        assert kinds.by_code(kind.code.value) is kind
        assert kind.category in METRICS_BY_CATEGORY


def test_the_api_takes_every_kinds_fields_and_each_kind_says_what_it_lacks():
    """The API's one input schema carries each kind's fields; an empty submission lacks the required ones."""
    fields = SubmissionCreateSchema().fields
    for kind in KINDS:
        own = kind.schema().fields
        assert set(own) <= set(fields)
        assert set(kind.problems({})) == set(own) - kind.optional
        assert set(kind.problems({name: None for name in own})) == set()
        assert set(kind.required_columns) <= set(kind.columns)


def test_every_kind_has_its_paths_and_page_pieces(app):
    """Each kind has its form's path for residents and for the desk, and a template with every piece the pages show."""
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    with app.test_request_context():
        for kind in KINDS:
            assert {f"challenges.submit_{kind.code}", f"desk.submit_{kind.code}"} <= endpoints
            pieces = app.jinja_env.get_template(kind.template).module
            assert [name for name in PAGE_PIECES if not hasattr(pieces, name)] == [], kind.template
