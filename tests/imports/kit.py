"""Helpers for the lead import tests: contact lists as bytes, and the import driven through its services."""

import io

from sqlalchemy import func, select

from crm.extensions import db
from crm.imports import services
from crm.leads.models import Lead, LeadEvent
from tests.projects.kit import credit_code, csv_bytes, xlsx_bytes  # noqa: F401 (re-exported)

ZH_HEADERS = ["序号", "参展单位", "联系人", "手机号", "邮箱", "需求", "计划投资（万元）", "备注"]
EN_HEADERS = ["No.", "Company name", "Contact person", "Mobile", "E-mail", "Need", "Planned investment", "Notes"]


def zh_row(n: int, **overrides) -> list:
    """One exhibitor under ZH_HEADERS; `n` makes company and mobile unique."""
    values = {"序号": n, "参展单位": f"湖南博览{n:03d}科技有限公司", "联系人": f"联系人{n}", "手机号": f"139{n:08d}",
              "邮箱": f"c{n}@expo.example", "需求": "租赁标准厂房", "计划投资（万元）": 1000 + n, "备注": f"展位 A-{n}"}
    values.update(overrides)
    return [values[h] for h in ZH_HEADERS]


def lead_count() -> int:
    return db.session.scalar(select(func.count(Lead.id)))


def event_count() -> int:
    return db.session.scalar(select(func.count(LeadEvent.id)))


def stage(data: bytes, filename: str, *, by):
    """Upload (stage) a file and commit, as the upload page does."""
    lead_import = services.stage_upload(data, filename, by=by)
    db.session.commit()
    return lead_import


def map_rows(lead_import, *, by, mapping=None, defaults=None, language="zh"):
    """Apply the automatic (or given) mapping and commit; returns the preview's counts by state."""
    counts = services.apply_mapping(lead_import, lead_import.mapping if mapping is None else mapping,
                                    defaults or {"kind": "investment", "source": "expo", "owner_id": ""},
                                    by=by, language=language)
    db.session.commit()
    return counts


def commit(lead_import, *, by):
    services.commit_import(lead_import, by=by)
    db.session.commit()
    return lead_import


def upload(client, data: bytes, name: str, **kwargs):
    return client.post("/imports/new", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data", **kwargs)
