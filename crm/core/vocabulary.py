"""Stored codes and their shown labels: one table per enum, so both languages read well."""

from collections.abc import Iterator

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l


class Vocabulary:
    """An ordered set of stable codes, each with a translatable label."""

    def __init__(self, name: str, items: list[tuple[str, object]]):
        self.name = name
        self._labels = dict(items)
        self._translated: dict[tuple, str] = {}  # (Locale, code) -> label

    def __contains__(self, code: object) -> bool:
        return code in self._labels

    def __iter__(self) -> Iterator[str]:
        return iter(self._labels)

    @property
    def codes(self) -> list[str]:
        return list(self._labels)

    def label(self, code: str | None) -> str:
        """The label for a code; an unknown code is shown as itself rather than failing a page."""
        if code is None:
            return ""
        # A list page asks for the same few labels hundreds of times, and a label in a given language never
        # changes while the process runs: translate each once per language (the language is part of the
        # key: a PDF may force another one mid-request).
        locale = get_locale()
        if locale is None or code not in self._labels:  # no context (a script), or a code shown as itself
            return str(self._labels.get(code, code))
        key = (locale, code)
        label = self._translated.get(key)
        if label is None:
            label = self._translated[key] = str(self._labels.get(code, code))
        return label

    def choices(self, blank: object = None) -> list[tuple[str, object]]:
        """(code, label) pairs for a select field, with an optional blank first choice.

        Labels stay lazy: form classes are built once at import, and must render in each reader's language.
        """
        pairs = list(self._labels.items())
        return ([("", blank)] + pairs) if blank is not None else pairs


LEAD_KINDS = Vocabulary("lead_kind", [
    ("investment", _l("Build a plant (investment)")),
    ("factory_rental", _l("Rent a standard factory")),
    ("land", _l("Buy land")),
    ("office", _l("Office space")),
])

LEAD_SOURCES = Vocabulary("lead_source", [
    ("web_form", _l("Web form")),
    ("hotline", _l("Hotline")),
    ("wechat", _l("WeChat")),
    ("expo", _l("Expo")),
    ("referral", _l("Referral")),
    ("business_referral", _l("Business referral")),
    ("agent", _l("Agent")),
    ("other", _l("Other")),
])

STAGES = Vocabulary("stage", [
    ("enquiry", _l("Enquiry")),
    ("contacted", _l("Contacted")),
    ("site_visit", _l("Site visit")),
    ("negotiation", _l("Negotiation")),
    ("signed", _l("Signed")),
    ("on_hold", _l("On hold")),
    ("lost", _l("Lost")),
])

# What an investor sees on the status page: plain words, nothing internal.
PUBLIC_STAGE_TEXT = Vocabulary("public_stage", [
    ("enquiry", _l("Received — an investment officer will contact you soon.")),
    ("contacted", _l("In contact — an investment officer is working on your enquiry.")),
    ("site_visit", _l("Site visits — we are showing you sites that fit your needs.")),
    ("negotiation", _l("In discussion — terms are being discussed with you.")),
    ("signed", _l("Agreement signed — welcome to the zone.")),
    ("on_hold", _l("Paused — your enquiry is on hold; contact us to resume it.")),
    ("lost", _l("Closed — this enquiry is closed; you are welcome to send a new one.")),
])

ACTIVITY_KINDS = Vocabulary("activity_kind", [
    ("call", _l("Call")),
    ("wechat", _l("WeChat")),
    ("visit", _l("Site visit")),
    ("meeting", _l("Meeting")),
    ("email", _l("Email")),
    ("note", _l("Note")),
])

ROLES = Vocabulary("role", [
    ("officer", _l("Investment officer")),
    ("manager", _l("Manager")),
    ("admin", _l("Administrator")),
])

PRIORITIES = Vocabulary("priority", [
    ("1", _l("High")),
    ("2", _l("Normal")),
    ("3", _l("Low")),
])

LEAD_FIELD_LABELS = Vocabulary("lead_field", [
    ("kind", _l("Need")),
    ("source", _l("Source")),
    ("company_name", _l("Company")),
    ("credit_code", _l("Unified social credit code")),
    ("contact_name", _l("Contact person")),
    ("mobile", _l("Mobile")),
    ("email", _l("Email")),
    ("industry_code", _l("Industry chain")),
    ("intended_use", _l("Intended use")),
    ("land_mu", _l("Land (mu)")),
    ("floor_area_m2", _l("Floor area (m²)")),
    ("budget_wan", _l("Budget (10k yuan)")),
    ("timing", _l("Timing")),
    ("planned_investment_wan", _l("Planned investment (10k yuan)")),
    ("expected_output_wan", _l("Expected annual output (10k yuan)")),
    ("expected_tax_wan", _l("Expected annual tax (10k yuan)")),
    ("jobs", _l("Jobs")),
    ("stage", _l("Stage")),
    ("owner_id", _l("Owner")),
    ("sponsoring_leader", _l("Sponsoring leader")),
    ("priority", _l("Priority")),
    ("is_key", _l("Key lead")),
    ("next_action", _l("Next action")),
    ("next_action_due", _l("Next action due")),
    ("lost_reason", _l("Lost reason")),
    ("hold_reason", _l("On-hold reason")),
    ("message", _l("Message")),
    ("is_confidential", _l("Confidential")),
    ("codename", _l("Codename")),
])

COLLISION_REASONS = Vocabulary("collision_reason", [
    ("mobile", _l("mobile")),
    ("credit_code", _l("credit code")),
    ("company", _l("company name")),
])
