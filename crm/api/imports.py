"""JSON API v1: the record of lead imports (who, when, which file, what the commit did)."""

from flask import g, jsonify
from flask_babel import gettext as _
from sqlalchemy import select

from crm.api import bp
from crm.api.auth import api_error, token_required
from crm.api.inventory import page_args
from crm.api.views import MAX_ID
from crm.core.pagination import paginate
from crm.extensions import db
from crm.imports.models import LeadImport


def import_json(lead_import: LeadImport) -> dict:
    return {
        "id": lead_import.id,
        "filename": lead_import.filename,
        "status": lead_import.status,
        "user_id": lead_import.user_id,
        "user": lead_import.user.name if lead_import.user else None,
        "total_rows": lead_import.total_rows,
        "created": lead_import.created,
        "merged": lead_import.merged,
        "skipped": lead_import.skipped,
        "errors": lead_import.errors,
        "created_at": lead_import.created_at.isoformat() + "Z",
        "committed_at": lead_import.committed_at.isoformat() + "Z" if lead_import.committed_at else None,
    }


@bp.get("/imports")
@token_required
def list_imports():
    """Imports newest first (discarded ones left out): a manager's token sees everyone's, an officer's its own."""
    page, per_page = page_args()
    query = select(LeadImport).where(LeadImport.status != "discarded")
    if not g.api_user.is_manager:
        query = query.where(LeadImport.user_id == g.api_user.id)
    result = paginate(query.order_by(LeadImport.created_at.desc(), LeadImport.id.desc()), page, per_page)
    return jsonify(items=[import_json(i) for i in result.items], total=result.total, page=result.page,
                   per_page=result.per_page)


@bp.get("/imports/<int:import_id>")
@token_required
def get_import(import_id):
    """One import record."""
    lead_import = db.session.get(LeadImport, import_id) if 0 < import_id <= MAX_ID else None
    if lead_import is None:
        return api_error(404, _("No import with this id."))
    if not (g.api_user.is_manager or lead_import.user_id == g.api_user.id):  # as the import pages decide
        return api_error(403, _("Only managers see other officers' imports."))
    return jsonify(import_json(lead_import))

