"""The consent texts investors agree to, one per version, exactly as the enquiry form showed them.

PIPL (个人信息保护法, art. 14 and 17) asks that consent be informed and that the notice be kept: so every
version's wording lives here, never edited once published, and each lead stores the version its investor
saw (Lead.consent_version) next to the time (Lead.consent_at). To change the wording, add a new version
below and point CONSENT_VERSION (config, or the CRM_CONSENT_VERSION environment variable) at it.

The texts are deliberately not in the translation catalogs: a translator's edit would change what people
agreed to without changing the version. Each version carries its own Chinese and English wording.
"""

import os
from dataclasses import dataclass

from flask import current_app, has_app_context
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField
from wtforms.validators import ValidationError


@dataclass(frozen=True)
class ConsentText:
    version: str
    label_zh: str  # next to the checkbox
    label_en: str
    notice_zh: str = ""  # shown above the checkbox: what is collected, why, for how long, the person's rights
    notice_en: str = ""

    def label(self, language: str = "zh") -> str:
        """Both languages, the reader's first, like every label of the public form."""
        if language == "zh":
            return f"{self.label_zh} / {self.label_en}"
        return f"{self.label_en} / {self.label_zh}"

    def notice(self, language: str = "zh") -> tuple[str, str]:
        """(the notice in the reader's language, the same in the other one)."""
        return (self.notice_zh, self.notice_en) if language == "zh" else (self.notice_en, self.notice_zh)


TEXTS: dict[str, ConsentText] = {
    # The form's first wording (2026 pilot). Leads stored before versions existed carry "1".
    "1": ConsentText(
        version="1",
        label_zh="我同意园区为答复本次咨询处理以上信息。",
        label_en="I agree that the zone processes these data to answer my enquiry.",
    ),
    "2026-11": ConsentText(
        version="2026-11",
        label_zh="我已阅读并同意上述个人信息处理说明。",
        label_en="I have read and agree to the notice above on how my personal information is processed.",
        notice_zh=(
            "个人信息处理说明：园区招商部门收集您在本表中填写的公司名称、联系人姓名、手机号码、电子邮箱、"
            "投资需求和留言，仅用于答复本次投资咨询、安排项目对接和后续联系。上述信息只由招商部门工作人员"
            "在本系统内处理，不会出售，也不会提供给与本次咨询无关的第三方。信息自收到咨询之日起保存，至咨询"
            "办结后三年或您要求删除时为止。您可以依法查阅、复制、更正、删除您的个人信息或撤回同意：请致电"
            "招商热线并提供咨询编号。"
        ),
        notice_en=(
            "How we process your personal information: the zone's investment promotion bureau collects the "
            "company name, contact person, mobile number, email, investment needs and message you enter in "
            "this form, only to answer this enquiry, arrange meetings about the project and keep in touch "
            "about it. Only the bureau's staff process these data, in this system; they are never sold and "
            "never given to third parties unrelated to the enquiry. We keep them from the day we receive the "
            "enquiry until three years after it is closed, or until you ask us to delete them. You may see, "
            "copy, correct or delete your personal information, or withdraw your consent: call the investment "
            "hotline and quote your reference."
        ),
    ),
}

CURRENT = "2026-11"


def current_version() -> str:
    """The version the enquiry form shows now: CONSENT_VERSION (config, then environment), else CURRENT."""
    version = None
    if has_app_context():
        version = current_app.config.get("CONSENT_VERSION")
    version = version or os.environ.get("CRM_CONSENT_VERSION") or CURRENT
    if version not in TEXTS:
        raise RuntimeError(f"CONSENT_VERSION {version!r} has no text in crm/privacy/consent.py")
    return version


def text_for(version: str | None) -> ConsentText | None:
    """The text of a version, or None for a version never published."""
    return TEXTS.get(version or "")


def current_text() -> ConsentText:
    return TEXTS[current_version()]


def _language() -> str:
    locale = get_locale() if has_app_context() else None
    return locale.language if locale else "zh"


def current_label() -> str:
    """The checkbox label of the current version, in the reader's language first (for a LazyString label)."""
    return current_text().label(_language())


class ConsentVersionField(HiddenField):
    """The version of the consent text the form showed, sent back with the enquiry.

    It always renders the current version (the page shows the current text); on submit it accepts any
    published version (the page may have been opened before a new one) and stores that one. A version
    never published is refused next to the consent box: nobody can have agreed to it. Left out (API
    clients), it means the current version.
    """

    def _value(self) -> str:
        return current_version()

    def pre_validate(self, form) -> None:
        if not self.data:
            self.data = current_version()
        elif self.data not in TEXTS:
            message = _l("The consent text has changed: read it and agree again.")
            self.data = current_version()
            consent = getattr(form, "consent", None)
            if consent is not None:
                consent.errors.append(message)
            raise ValidationError(message)

    @property
    def text(self) -> ConsentText:
        """The text the page shows next to this field: the version it renders."""
        return TEXTS[self._value()]
