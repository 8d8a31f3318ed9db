"""Every model, imported in one place so Alembic and the app see the whole schema."""

from crm.auth.models import ApiToken, User  # noqa: F401
from crm.core import indexes  # noqa: F401  (read indexes of the list pages, migration 0007)
from crm.dashboard.models import Target  # noqa: F401
from crm.imports.models import LeadImport, LeadImportRow  # noqa: F401
from crm.leads.aliases import LeadAlias  # noqa: F401
from crm.leads.models import Activity, Industry, Lead, LeadEvent  # noqa: F401
from crm.notifications.models import Delivery, Notification  # noqa: F401
from crm.privacy.models import PrivacyEvent  # noqa: F401
from crm.projects.models import CapitalRecord, Milestone, Problem, Project, ProjectEvent  # noqa: F401
from crm.sites.models import Site, SiteEvent  # noqa: F401
from crm.tax.models import TaxImport, TaxNameRejection, TaxRecord  # noqa: F401
