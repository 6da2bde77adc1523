"""The scopes an organisation client may hold, with the labels the admin pages show."""

from flask_babel import lazy_gettext as _l

READINGS_WRITE = "readings:write"
VOUCHERS_VALIDATE = "vouchers:validate"
STATS_READ = "stats:read"

SCOPE_LABELS = {
    READINGS_WRITE: _l("Deliver meter readings for linked meters (the utility's connector)"),
    VOUCHERS_VALIDATE: _l("Look vouchers up and mark them used, for its reward partner (a till)"),
    STATS_READ: _l("Read the protected participation statistics and the export history"),
}
