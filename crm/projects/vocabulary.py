"""Codes stored for projects, and their labels."""

from flask_babel import lazy_gettext as _l

from crm.core.vocabulary import Vocabulary

# The "five batches" tabs, in the order the register shows them.
PHASES = Vocabulary("phase", [
    ("signed", _l("Signed")),
    ("started", _l("Started")),
    ("completed", _l("Completed")),
    ("in_production", _l("In production")),
    ("planned", _l("Planning")),
])

MILESTONE_KINDS = Vocabulary("milestone", [
    ("signed", _l("Contract signed")),
    ("land_handover", _l("Land handed over")),
    ("construction_start", _l("Construction started")),
    ("completion", _l("Construction completed")),
    ("production", _l("Production started")),
])

FLAGS = Vocabulary("project_flag", [
    ("key", _l("Key project")),
    ("four_new", _l("Four new")),
    ("500_strong", _l("500 strong")),
])

PROBLEM_CATEGORIES = Vocabulary("problem_category", [
    ("land", _l("Land")),
    ("permits", _l("Permits and approvals")),
    ("power", _l("Power supply")),
    ("water", _l("Water and drainage")),
    ("roads", _l("Roads and access")),
    ("financing", _l("Financing")),
    ("labour", _l("Labour and hiring")),
    ("demolition", _l("Demolition and resettlement")),
    ("other", _l("Other")),
])

PROBLEM_STATUSES = Vocabulary("problem_status", [
    ("open", _l("Open")),
    ("in_progress", _l("In progress")),
    ("resolved", _l("Resolved")),
])

PROJECT_FIELD_LABELS = Vocabulary("project_field", [
    ("code", _l("Project code")),
    ("name", _l("Project name")),
    ("company_name", _l("Investor company")),
    ("credit_code", _l("Unified social credit code")),
    ("industry_code", _l("Industry chain")),
    ("description", _l("Description")),
    ("phase", _l("Phase")),
    ("investment_wan", _l("Committed investment (10k yuan)")),
    ("land_mu", _l("Land (mu)")),
    ("floor_area_m2", _l("Floor area (m²)")),
    ("promised_tax_wan", _l("Promised annual tax (10k yuan)")),
    ("expected_output_wan", _l("Expected annual output (10k yuan)")),
    ("jobs", _l("Jobs")),
    ("talents", _l("Key talents introduced")),
    ("is_key", _l("Key project")),
    ("is_four_new", _l("Four new")),
    ("is_500_strong", _l("500 strong")),
    ("sponsoring_leader", _l("Sponsoring leader")),
    ("owner_id", _l("Owner")),
    ("planned_on", _l("Planned")),
    ("actual_on", _l("Actual")),
    ("capital", _l("Capital in place")),
    ("problem", _l("Problem")),
    ("site", _l("Site")),
])
