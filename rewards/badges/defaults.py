"""The six badges every city starts with, one per rule, and the command that installs them.

Their names, descriptions and criteria are content admins may rewrite on the badge pages, like
any badge they add, so they are data in English and German here rather than translated strings.
The images are small hand-written SVGs that pass `services.check_svg`: no scripts, no links.
"""

from sqlalchemy import select

from app.extensions import db
from rewards.badges import services
from rewards.models import BadgeClass, BadgeRule


def _svg(title: str, body: str) -> str:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 120" width="120" height="120" role="img">'
        f"<title>{title}</title>{body}</svg>"
    )


FIRST_STEP_SVG = _svg(
    "First Step",
    '<circle cx="60" cy="60" r="56" fill="#2e7d32"/>'
    '<circle cx="60" cy="60" r="47" fill="none" stroke="#c8e6c9" stroke-width="3"/>'
    '<path d="M60 88V56" stroke="#fff" stroke-width="6" stroke-linecap="round"/>'
    '<path d="M60 62c-4-14-16-20-28-18 1 13 12 21 28 18z" fill="#a5d6a7"/>'
    '<path d="M60 56c3-15 15-23 29-21-1 15-13 24-29 21z" fill="#fff"/>',
)

STREAK_SVG = _svg(
    "Four-Week Streak",
    '<path d="M60 4l48.5 28v56L60 116 11.5 88V32z" fill="#e65100"/>'
    '<path d="M60 14l39.8 23v46L60 106 20.2 83V37z" fill="none" stroke="#ffcc80" stroke-width="3"/>'
    '<path d="M60 24c6 16 24 24 24 46a24 24 0 0 1-48 0c0-12 6-18 10-22 0 8 4 12 8 12-2-14 2-26 6-36z" '
    'fill="#ffb300"/>'
    '<path d="M60 58c3 8 12 12 12 22a12 12 0 0 1-24 0c0-8 8-12 12-22z" fill="#fff3e0"/>',
)

COMPLETED_SVG = _svg(
    "Challenge Completed",
    '<path d="M60 6l46 16v32c0 30-20 50-46 60C34 104 14 84 14 54V22z" fill="#1565c0"/>'
    '<path d="M60 16l37 13v25c0 24-16 41-37 50-21-9-37-26-37-50V29z" fill="none" stroke="#90caf9" '
    'stroke-width="3"/>'
    '<path d="M38 60l15 15 30-32" fill="none" stroke="#fff" stroke-width="9" stroke-linecap="round" '
    'stroke-linejoin="round"/>',
)

TOP_10_SVG = _svg(
    "Top 10",
    '<circle cx="60" cy="60" r="56" fill="#5d4037"/>'
    '<path d="M60 10l14.7 30 33 4.8-23.9 23.3 5.6 32.9L60 85.5 30.6 101l5.6-32.9L12.3 44.8l33-4.8z" '
    'fill="#fbc02d" stroke="#fff8e1" stroke-width="3" stroke-linejoin="round"/>'
    '<text x="60" y="73" text-anchor="middle" font-family="sans-serif" font-size="28" font-weight="700" '
    'fill="#4e342e">10</text>',
)

CHAMPION_SVG = _svg(
    "Neighbourhood Champion",
    '<rect x="6" y="6" width="108" height="108" rx="24" fill="#6a1b9a"/>'
    '<path d="M34 40l10 10 16-18 16 18 10-10-4 20H38z" fill="#ffd54f"/>'
    '<path d="M22 92V74l14-12 14 12v18zM50 92V68l16-14 16 14v24zM82 92V76l10-9 10 9v16z" fill="#fff"/>'
    '<path d="M32 92v-9h8v9zM62 92V80h8v12zM89 92v-8h6v8z" fill="#6a1b9a"/>',
)

DATA_SHARER_SVG = _svg(
    "Data Sharer",
    '<path d="M60 4l56 56-56 56L4 60z" fill="#00796b"/>'
    '<path d="M60 16l44 44-44 44-44-44z" fill="none" stroke="#b2dfdb" stroke-width="3"/>'
    '<path d="M40 78V64h10v14zM55 78V50h10v28zM70 78V40h10v38z" fill="#fff"/>'
    '<path d="M36 82h48" stroke="#e0f2f1" stroke-width="4" stroke-linecap="round"/>',
)

DEFAULT_BADGES = [
    {
        "rule": BadgeRule.FIRST_SUBMISSION,
        "name": "First Step",
        "name_de": "Erster Schritt",
        "description_de": "Hat einen ersten Zählerstand oder Weg geschickt, der in einer Challenge zählte.",
        "criteria_de": "Machen Sie bei einer Challenge mit und schicken Sie einen Zählerstand oder eine "
        "autofreie Fahrt, die angenommen wird und Punkte bringt. Jeder Weg beginnt mit "
        "einem ersten Schritt.",
        "description": "Sent a first reading or trip that counted in a challenge.",
        "criteria": "Join any challenge and send a meter reading or a car-free trip that is accepted and "
        "earns points. Every journey starts with a first step.",
        "image_svg": FIRST_STEP_SVG,
    },
    {
        "rule": BadgeRule.STREAK,
        "name": "Four-Week Streak",
        "name_de": "Vier Wochen am Stück",
        "description_de": "Hat vier Wochen hintereinander bei Challenges mitgemacht.",
        "criteria_de": "Haben Sie in vier Kalenderwochen hintereinander (Montag bis Sonntag, Ortszeit) "
        "mindestens einen angenommenen Zählerstand oder Weg.",
        "description": "Took part in challenges four weeks in a row.",
        "criteria": "Have at least one accepted reading or trip in each of four calendar weeks in a row "
        "(Monday to Sunday, city time).",
        "image_svg": STREAK_SVG,
    },
    {
        "rule": BadgeRule.CHALLENGE_COMPLETED,
        "name": "Challenge Completed",
        "name_de": "Challenge geschafft",
        "description_de": "Hat das Ziel einer Challenge bis zu ihrem Abschluss erreicht.",
        "criteria_de": "Bleiben Sie in einer Challenge, bis sie abgeschlossen wird, und erreichen Sie "
        "ihr Ziel; in einer Challenge ohne Ziel genügen überhaupt Punkte.",
        "description": "Reached the goal of a challenge by the time it closed.",
        "criteria": "Stay in a challenge until it closes and reach its goal; in a challenge without a goal, "
        "score any points at all.",
        "image_svg": COMPLETED_SVG,
    },
    {
        "rule": BadgeRule.TOP_10,
        "name": "Top 10",
        "name_de": "Top 10",
        "description_de": "Hat eine Challenge unter den zehn Besten beendet.",
        "criteria_de": "Beenden Sie eine Einzel-Challenge auf den Plätzen 1 bis 10 der Endwertung, mit "
        "mehr als null Punkten.",
        "description": "Finished among the ten best in a challenge.",
        "criteria": "Finish an individual challenge in places 1 to 10 of its final ranking, with more than "
        "zero points.",
        "image_svg": TOP_10_SVG,
    },
    {
        "rule": BadgeRule.NEIGHBOURHOOD_WINNER,
        "name": "Neighbourhood Champion",
        "name_de": "Stadtteil-Champion",
        "description_de": "Hat für den Stadtteil mitgemacht, der eine Stadtteil-Challenge gewonnen hat.",
        "criteria_de": "Machen Sie in einer Stadtteil-Challenge für Ihren Stadtteil mit und seien Sie "
        "dabei, wenn er sie auf dem ersten Platz abschließt.",
        "description": "Took part for the neighbourhood that won a neighbourhood challenge.",
        "criteria": "Take part in a neighbourhood challenge for your neighbourhood and be there when it "
        "closes in first place.",
        "image_svg": CHAMPION_SVG,
    },
    {
        "rule": BadgeRule.DATA_SHARER,
        "name": "Data Sharer",
        "name_de": "Daten-Teiler",
        "description_de": "Teilt anonymisierte Daten, die der Stadt beim Planen helfen.",
        "criteria_de": "Stimmen Sie zu, Ihre Daten für einen Zweck zu teilen, den die Stadt erklärt, und"
        " erhalten Sie dafür eine erste Datendividende.",
        "description": "Shares anonymised data that helps the city plan.",
        "criteria": "Agree to share your data for a purpose the city explains, and receive a first data "
        "dividend for it.",
        "image_svg": DATA_SHARER_SVG,
    },
]


def install_default_badges() -> list[BadgeClass]:
    """Create the default badge of every rule that has no badge yet; running it again adds nothing."""
    ruled = set(db.session.scalars(select(BadgeClass.rule).where(BadgeClass.rule.is_not(None))))
    return [services.create_badge(**definition) for definition in DEFAULT_BADGES if definition["rule"] not in ruled]
