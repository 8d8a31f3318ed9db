"""Forms of the lead import: the upload, the column mapping with defaults, the preview's choices."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField
from wtforms.validators import Optional

from crm.core.forms import BaseForm, CodeSelectField
from crm.core.vocabulary import LEAD_KINDS, LEAD_SOURCES
from crm.imports import fields
from crm.imports.services import CHOICES, DEFAULT_CHOICE, ImportRefused


class UploadForm(BaseForm):
    file = FileField(_l("Contact list (.xlsx or .csv)"), validators=[FileRequired(_l("Choose a file to upload."))])


class MappingForm(BaseForm):
    """Defaults for cells a file leaves blank; the column selects (col-0, col-1, ...) are read separately."""

    kind = CodeSelectField(_l("Need, where the file gives none"), choices=LEAD_KINDS.choices())
    source = CodeSelectField(_l("Source, where the file gives none"), choices=LEAD_SOURCES.choices(), default="expo")
    owner_id = CodeSelectField(_l("Owner, where the file gives none"), choices=[], validators=[Optional()])

    def set_owners(self, users) -> None:
        self.owner_id.choices = [("", _l("Unassigned"))] + [(str(u.id), u.name) for u in users]


def column_choices(formdata, width: int, allowed: list[fields.ImportField]) -> dict[str, int]:
    """The mapping picked on the page: field key → column index (columns set to "ignore" are left out)."""
    keys = {f.key for f in allowed}
    mapping: dict[str, int] = {}
    for index in range(width):
        key = (formdata.get(f"col-{index}") or "").strip()
        if not key:
            continue
        if key not in keys:
            raise ImportRefused(_l("The column mapping names a field or column that does not exist."))
        if key in mapping:
            raise ImportRefused(_l("“%(field)s” is chosen for two columns; choose it for one only.",
                                   field=fields.BY_KEY[key].label))
        mapping[key] = index
    return mapping


class PreviewForm(BaseForm):
    """The preview's buttons; each row's choice comes as choice-<row id>."""

    action = HiddenField()
    state = CodeSelectField(choices=[("", "")] + [(s, s) for s in DEFAULT_CHOICE], validators=[Optional()])
    choice = CodeSelectField(choices=[("", "")] + [(c, c) for c in CHOICES], validators=[Optional()])


def row_choices(formdata) -> dict[int, str]:
    """choice-<row id> fields → {row id: choice}; malformed names are ignored, unknown choices refused."""
    choices = {}
    for name, value in formdata.items():
        if not name.startswith("choice-"):
            continue
        row_id = name[len("choice-"):]
        if not (row_id.isascii() and row_id.isdigit()) or len(row_id) > 9:
            continue
        if value not in CHOICES:
            raise ImportRefused(_l("Choose skip, merge or create."))
        choices[int(row_id)] = value
    return choices
