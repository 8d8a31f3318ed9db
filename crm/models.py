"""Every model, imported in one place so Alembic and the app see the whole schema."""

from crm.auth.models import ApiToken, User  # noqa: F401
from crm.dashboard.models import Target  # noqa: F401
from crm.leads.models import Activity, Industry, Lead, LeadEvent  # noqa: F401
from crm.notifications.models import Notification  # noqa: F401
