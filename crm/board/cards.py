"""What every card on the board shares within one request, worked out once.

A board shows up to 350 cards; asking Flask-Babel, url_for and the CSRF helper afresh for each card
costs more than the database does. The kit holds the translated words, the stage menu for each stage,
the URL prefixes and the CSRF token, so a card renders from plain strings.
"""

from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import urlencode

from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from crm.auth.models import User
from crm.core.formatting import local_date
from crm.core.vocabulary import LEAD_KINDS, STAGES
from crm.dashboard import sql
from crm.leads import services


class CardKit:
    """Per-request helpers for card rows (crm.board.queries.card: id, company_name, stage, owner_name...)."""

    def __init__(self, user: User, today: date, filter_args: dict):
        self.user = user
        # crm.leads.services.can_edit lets managers and admins edit every lead: no need to ask per card.
        self._edits_all = bool(user.is_authenticated and user.is_manager)
        self.today = today
        self.filter_args = filter_args
        self._offset = timedelta(minutes=sql.offset_minutes(today))
        self._query = urlencode(filter_args)
        self._board = url_for("board.index")
        self._detail = url_for("leads.detail", lead_id=1)[:-1]
        self.csrf = generate_csrf()
        locale = get_locale()
        self._zh = bool(locale) and locale.language == "zh"
        self._million = _("CNY %(amount)s M")
        self.kinds = {code: LEAD_KINDS.label(code) for code in LEAD_KINDS}
        self.text = {
            "key": _("Key"), "unassigned": _("Unassigned"), "planned": _("Planned investment"),
            "in_stage": _("%(days)s d in stage"), "overdue": _("Overdue:"), "move_to": _("Move %(company)s to"),
            "move": _("Move"),
        }
        labels = [(code, escape(STAGES.label(code))) for code in STAGES]
        self.stage_options = {
            current: Markup("".join(f'<option value="{code}"{" selected" if code == current else ""}>{label}</option>'
                                    for code, label in labels))
            for current in STAGES
        }

    def money(self, value) -> str:
        """crm.core.formatting.money_wan, without a Babel number-format call per card (same output)."""
        if value is None:
            return "—"
        if self._zh:
            return f"{_plain(Decimal(value))} 万元"
        return self._million % {"amount": _plain(Decimal(value) / 100)}

    def date(self, value: date) -> str:
        """crm.core.formatting.local_date for a date (ISO in Chinese, without a Babel call per card)."""
        return value.isoformat() if self._zh else local_date(value)

    def detail_url(self, lead) -> str:
        return f"{self._detail}{lead.id}"

    def move_url(self, lead) -> str:
        return f"{self._board}/{lead.id}/move?{self._query}"

    def card_url(self, lead) -> str:
        return f"{self._board}/{lead.id}/card?{self._query}"

    def days_in_stage(self, lead) -> int:
        """Whole days on the zone's calendar since the lead entered its stage."""
        entered = lead.stage_entered_at or lead.created_at
        return max((self.today - (entered + self._offset).date()).days, 0)

    def editable(self, lead) -> bool:
        """Whether this reader may move the card (signed leads have become projects and stay put)."""
        return lead.stage != "signed" and (self._edits_all or services.can_edit(self.user, lead))

    def overdue(self, lead) -> bool:
        return bool(lead.next_action_due and lead.next_action_due < self.today)


def _plain(amount: Decimal) -> str:
    """'#,##0.##': thousands separators, at most two decimals, no trailing zeros (half-even rounding)."""
    return f"{amount:,.2f}".rstrip("0").rstrip(".")
