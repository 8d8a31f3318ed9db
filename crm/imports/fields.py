"""The lead fields a contact list can fill, the headers (Chinese or English) each is recognised by, and the
spellings of coded values (needs, sources, industries, priorities) a spreadsheet may use.

Every label the lead export writes is also a header the import recognises, in both languages, so an
exported list imports again as it is.
"""

from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from crm.core.spreadsheets import Column, normalise_header
from crm.core.vocabulary import LEAD_FIELD_LABELS, LEAD_KINDS, LEAD_SOURCES, PRIORITIES


@dataclass(frozen=True)
class ImportField:
    key: str  # a lead field, or "owner" (a user's email or name; managers only)
    label: object
    aliases: tuple[str, ...]
    required: bool = False
    managers_only: bool = False


OWNER_LABEL = _l("Owner")

FIELDS = (
    ImportField("company_name", _l("Company"), (
        "公司", "公司名称", "企业名称", "企业", "单位名称", "单位", "参展单位", "参展企业", "参会单位", "客户名称",
        "company", "company name", "organisation", "organization", "exhibitor"), required=True),
    ImportField("contact_name", _l("Contact person"), (
        "联系人", "姓名", "联系人姓名", "参会人", "contact", "contact name", "contact person", "name"), required=True),
    ImportField("mobile", _l("Mobile"), (
        "手机", "手机号", "手机号码", "电话", "联系电话", "联系方式", "mobile", "phone", "mobile phone", "cell",
        "tel", "telephone")),
    ImportField("email", _l("Email"), ("邮箱", "电子邮箱", "电子邮件", "email", "e-mail", "mail")),
    ImportField("credit_code", _l("Unified social credit code"), (
        "统一社会信用代码", "信用代码", "社会信用代码", "credit code", "uscc", "unified social credit code")),
    ImportField("kind", _l("Need"), ("需求", "需求类型", "意向", "need", "kind", "type")),
    ImportField("source", _l("Source"), ("来源", "线索来源", "source")),
    ImportField("industry_code", _l("Industry chain"), (
        "行业", "产业链", "所属行业", "所属产业链", "产业", "industry", "industry chain", "sector")),
    ImportField("intended_use", _l("Intended use"), ("用途", "项目内容", "项目简介", "拟建内容", "intended use", "use")),
    ImportField("land_mu", _l("Land (mu)"), ("用地", "用地面积", "用地亩", "土地亩", "land", "land mu")),
    ImportField("floor_area_m2", _l("Floor area (m²)"), (
        "面积", "厂房面积", "建筑面积", "面积平方米", "floor area", "area", "floor area m2")),
    ImportField("budget_wan", _l("Budget (10k yuan)"), ("预算", "预算万元", "budget")),
    ImportField("timing", _l("Timing"), ("时间", "计划时间", "时间要求", "timing")),
    ImportField("planned_investment_wan", _l("Planned investment (10k yuan)"), (
        "投资额", "计划投资", "总投资", "投资", "投资额万元", "计划投资万元", "investment", "planned investment")),
    ImportField("expected_output_wan", _l("Expected annual output (10k yuan)"), (
        "产值", "年产值", "预计产值", "预计年产值", "output", "expected output")),
    ImportField("expected_tax_wan", _l("Expected annual tax (10k yuan)"), (
        "税收", "年税收", "预计税收", "预计年税收", "tax", "expected tax")),
    ImportField("jobs", _l("Jobs"), ("就业", "用工", "就业人数", "用工人数", "jobs", "employees")),
    ImportField("priority", _l("Priority"), ("优先级", "priority")),
    ImportField("next_action", _l("Next action"), ("下一步", "下一步行动", "next action")),
    ImportField("next_action_due", _l("Next action due"), ("下一步日期", "到期日", "截止日期", "due", "next action due")),
    ImportField("message", _l("Notes from the investor"), (
        "备注", "留言", "说明", "需求描述", "notes", "message", "remarks", "comment", "comments")),
    ImportField("owner", OWNER_LABEL, ("负责人", "招商专员", "跟进人", "owner"), managers_only=True),
)
BY_KEY = {f.key: f for f in FIELDS}


def fields_for(user) -> list[ImportField]:
    """The fields this user's import may fill (only managers give leads to someone)."""
    return [f for f in FIELDS if user.is_manager or not f.managers_only]


def _both_languages(label) -> tuple[str, ...]:
    """A lazy label as English and Chinese text."""
    texts = []
    for locale in ("en", "zh_CN"):
        with force_locale(locale):
            texts.append(str(label))
    return tuple(texts)


def columns_for(user) -> list[Column]:
    """Spreadsheet columns for header matching: each field's aliases, its label and the export's header in
    both languages. Call within an app context (labels are translated)."""
    columns = []
    exported = dict(LEAD_FIELD_LABELS.choices())
    for item in fields_for(user):
        names = list(item.aliases) + list(_both_languages(item.label))
        if item.key in exported:
            names += list(_both_languages(exported[item.key]))
        columns.append(Column(item.key, item.label, tuple(dict.fromkeys(names)), required=False))
    return columns


def code_spellings(vocabulary, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Normalised spelling → code: each code itself, its label in both languages, and `extra` synonyms."""
    spellings = {}
    for code, label in vocabulary.choices():
        spellings[normalise_header(code)] = code
        for text in _both_languages(label):
            spellings[normalise_header(text)] = code
    for text, code in (extra or {}).items():
        spellings[normalise_header(text)] = code
    return spellings


# Words people write in a contact list instead of the labels.
KIND_SYNONYMS = {"投资": "investment", "投资建厂": "investment", "建厂": "investment", "厂房": "factory_rental",
                 "租厂房": "factory_rental", "租赁厂房": "factory_rental", "土地": "land", "购地": "land",
                 "拿地": "land", "办公": "office", "写字楼": "office"}
SOURCE_SYNONYMS = {"展会": "expo", "博览会": "expo", "推介会": "expo", "电话": "hotline", "微信": "wechat",
                   "网站": "web_form", "转介绍": "referral", "介绍": "referral", "中介": "agent"}
PRIORITY_SYNONYMS = {"高": "1", "中": "2", "普通": "2", "一般": "2", "低": "3", "medium": "2"}


def vocabularies() -> dict[str, dict[str, str]]:
    """Spelling tables for the coded fields (industries come from the database, see services)."""
    return {
        "kind": code_spellings(LEAD_KINDS, KIND_SYNONYMS),
        "source": code_spellings(LEAD_SOURCES, SOURCE_SYNONYMS),
        "priority": code_spellings(PRIORITIES, PRIORITY_SYNONYMS),
    }
