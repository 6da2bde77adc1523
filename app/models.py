"""Every model, imported in one place so that migrations and create_all see them all."""

from app.accounts.models import AccessToken, User  # noqa: F401
from app.neighbourhoods.models import Neighbourhood  # noqa: F401
from app.notifications.models import Notification  # noqa: F401
from app.nudges.models import FundingProgramme  # noqa: F401
from app.scheduler import SchedulerLease  # noqa: F401
from app.sharing.models import (  # noqa: F401
    Consent,
    CreditRate,
    DataCategory,
    DataUse,
    DataUseResident,
    Purpose,
)
from app.stats.models import PrivacyBudget  # noqa: F401
from challenges.models import (  # noqa: F401
    AssistedAction,
    Challenge,
    ChallengeChange,
    Enrollment,
    NeighbourhoodScore,
    Submission,
)
from leaderboards.models import RankSnapshot, SeasonPeriod, SeasonPoints  # noqa: F401
from rewards.models import (  # noqa: F401
    BadgeAward,
    BadgeClass,
    LedgerEntry,
    Partner,
    PartnerMember,
    PointsAccount,
    Reward,
    Voucher,
)
