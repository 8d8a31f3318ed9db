"""Jinja filters and globals shared by every template."""

from flask import request
from flask_babel import get_locale
from flask_login import current_user

from crm.core import formatting
from crm.core.formatting import local_today
from crm.core.vocabulary import (
    ACTIVITY_KINDS,
    COLLISION_REASONS,
    LEAD_FIELD_LABELS,
    LEAD_KINDS,
    LEAD_SOURCES,
    PRIORITIES,
    PUBLIC_STAGE_TEXT,
    ROLES,
    STAGES,
)
from crm.leads.display import field_value


def register(app) -> None:
    app.jinja_env.filters.update(
        wan=formatting.money_wan,
        mu=formatting.land_mu,
        m2=formatting.area_m2,
        num=formatting.number,
        day=formatting.local_date,
        when=formatting.local_datetime,
        masked=formatting.mask_mobile,
        phone=formatting.phone_number,
    )
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals.update(
        has_endpoint=lambda endpoint: endpoint in app.view_functions,
        field_value=field_value, COLLISION_REASONS=COLLISION_REASONS,
        STAGES=STAGES, LEAD_KINDS=LEAD_KINDS, LEAD_SOURCES=LEAD_SOURCES, ACTIVITY_KINDS=ACTIVITY_KINDS,
        ROLES=ROLES, PRIORITIES=PRIORITIES, PUBLIC_STAGE_TEXT=PUBLIC_STAGE_TEXT,
        today=local_today, FIELD_LABELS=LEAD_FIELD_LABELS,
    )

    @app.context_processor
    def _globals():
        locale = get_locale()
        unread = 0
        if current_user and current_user.is_authenticated and not request.path.startswith("/static"):
            from crm.notifications.queries import unread_count

            unread = unread_count(current_user)
        return {
            "lang": "zh-CN" if locale and locale.language == "zh" else "en",
            # Chinese puts a full-width colon after a label.
            "colon": "：" if locale and locale.language == "zh" else ": ",
            "is_zh": bool(locale) and locale.language == "zh",
            "unread_notices": unread,
            "zone_name": app.config["ZONE_NAME"] if locale and locale.language == "zh"
            else app.config["ZONE_NAME_EN"],
        }
