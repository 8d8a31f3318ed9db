"""PDF briefs: Jinja HTML and print CSS, turned into bytes by WeasyPrint."""

from flask import Blueprint

bp = Blueprint("briefs", __name__)


@bp.record_once
def _check_fonts(state) -> None:
    """Warn at start-up when briefs would be slow (no HarfBuzz subsetting) or lack a CJK font."""
    from crm.briefs import fonts

    fonts.check(state.app)


from crm.briefs import views  # noqa: E402,F401
