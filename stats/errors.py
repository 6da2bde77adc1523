"""What the statistics refuse."""

from flask_babel import lazy_gettext as _l

from app.errors import Conflict


class BudgetSpent(Conflict):
    """An open-data release would take a resident whose data it uses past their yearly privacy budget."""

    rule = "budget_spent"
    message = _l("The yearly privacy budget of residents this release would use is spent; no further release is "
                 "possible this year.")  # fmt: skip

    def __init__(self, spent: float, total: float):
        self.spent, self.total = spent, total
        super().__init__()
