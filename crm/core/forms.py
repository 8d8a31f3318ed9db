"""Form base class and fields shared by every feature."""

import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from babel import support
from flask import current_app
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, SelectField
from wtforms.i18n import messages_path
from wtforms.validators import NumberRange, Optional, ValidationError

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value):
    """Drop control characters (NUL breaks PostgreSQL text) and surrounding blanks."""
    if isinstance(value, str):
        return _CONTROL.sub("", value).strip()
    return value


class BaseForm(FlaskForm):
    """Every form strips control characters from what people type."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = list(unbound_field.kwargs.get("filters", []))
            if clean_text not in filters:
                filters.append(clean_text)
            options["filters"] = filters
            return unbound_field.bind(form=form, **options)

        def get_translations(self, form):
            # Flask-WTF reads WTForms' own catalog from disk for every request; one copy per language will do.
            if not current_app.config.get("WTF_I18N_ENABLED", True):
                return None
            locale = get_locale()
            return _wtforms_catalog(str(locale)) if locale else None


@lru_cache(maxsize=16)
def _wtforms_catalog(locale: str) -> support.Translations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class AmountField(DecimalField):
    """A non-negative amount with an upper bound; text that is not a number gets a translated message."""

    def __init__(self, label=None, validators=None, maximum=Decimal("100000000"), **kwargs):
        validators = list(validators or [Optional()])
        shown = f"{maximum:,}"
        validators.append(NumberRange(min=0, max=maximum, message=_l(
            "Enter a number between 0 and %(max)s.", max=shown)))
        super().__init__(label, validators, places=None, **kwargs)

    def process_formdata(self, valuelist):
        if valuelist:
            raw = (valuelist[0] or "").strip().replace(",", "").replace("，", "")
            if raw == "":
                self.data = None
                return
            try:
                value = Decimal(raw)
                if not value.is_finite():
                    raise InvalidOperation
                self.data = value.quantize(Decimal("0.01"))
            except (InvalidOperation, ValueError):
                self.data = None
                raise ValueError(_l("Enter a number, for example 1200 or 35.5.")) from None


class CodeSelectField(SelectField):
    """A select of stable codes; an unknown code is a validation error, never a 500."""

    def pre_validate(self, form):
        codes = [str(choice[0]) for choice in self.choices or []]
        if self.data not in codes and not (self.data in (None, "") and "" in codes):
            raise ValidationError(_l("Choose one of the listed options."))
