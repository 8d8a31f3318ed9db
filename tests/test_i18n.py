"""Languages: every message has a Chinese translation, catalogs are sound, and pages follow the chosen language.

Catalogs live per feature in translations/<feature>/<locale>/LC_MESSAGES/messages.po; these tests compile
them to .mo themselves when a .mo is missing or older than its .po, so they work on a fresh clone.
"""

import io
import re

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from flask_babel import force_locale, get_translations, gettext
from markupsafe import escape

from crm.core import catalogs
from crm.core.i18n import LOCALE_SESSION_KEY
from crm.core.vocabulary import LEAD_KINDS

ALL_PO = sorted(catalogs.TRANSLATIONS.glob("*/*/LC_MESSAGES/messages.po"))
# A printf conversion: %(name)s, %s, %d, %.2f ... or a literal %%.
CONVERSION = re.compile(
    r"%(?:\((?P<name>\w+)\))?[#0\- +]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[hlL]?(?P<type>[diouxXeEfFgGcrsa%])")


@pytest.fixture(scope="module", autouse=True)
def compiled(app):
    """Every .mo up to date with its .po, and Flask-Babel's cache emptied so it reads them afresh."""
    catalogs.compile_all()
    with app.app_context():
        from crm.extensions import babel

        babel.domain_instance.cache.clear()


@pytest.fixture(scope="module")
def zh():
    """zh("msgid") is the Chinese text the merged zh_CN catalogs give, HTML-escaped as a page shows it."""
    merged = {}
    for path in catalogs.catalog_paths("zh_CN"):
        for message in catalogs.load(path):
            if message.id and catalogs.is_translated(message):
                merged[message.id] = message.string

    def lookup(msgid: str) -> str:
        assert msgid in merged, f"no zh_CN translation for {msgid!r}"
        return str(escape(merged[msgid]))

    return lookup


def _id(path):
    return str(path.relative_to(catalogs.TRANSLATIONS).parent.parent)


def _is_foundation(entry) -> bool:
    return any(catalogs._owned(path, catalogs.FOUNDATION) for path, _line in entry.locations)


# (a) completeness ------------------------------------------------------------------------------------------

def test_every_message_has_a_chinese_translation():
    """The net: any msgid in crm/ or templates/ without a zh_CN translation in some catalog fails here."""
    missing = catalogs.missing("zh_CN")
    if missing:
        pytest.fail(
            f"{len(missing)} message(s) have no zh_CN translation. Add them to your feature's catalog with "
            f"`python -m crm.core.catalogs update <feature>`, translate, and compile:\n" + catalogs.describe(missing),
            pytrace=False)


def test_foundation_messages_have_a_chinese_translation():
    missing = [entry for entry in catalogs.missing("zh_CN") if _is_foundation(entry)]
    if missing:
        pytest.fail(
            "Foundation messages without a zh_CN translation; run `python -m crm.core.catalogs update core` "
            "and translate translations/core/zh_CN/LC_MESSAGES/messages.po:\n" + catalogs.describe(missing),
            pytrace=False)


def test_extraction_sees_macros_and_lazy_strings():
    """Babel's default walk skips folders starting with "_" (templates/_macros); ours must not."""
    found = catalogs.extract()
    assert ("Page %(page)s of %(pages)s", None) in found  # templates/_macros/forms.html
    assert ("Need / 需求", None) in found  # lazy_gettext as _l in crm/leads/enquiry.py
    assert ("Web form", None) in found  # _l in crm/core/vocabulary.py


def test_update_adds_new_msgids_and_keeps_translations(tmp_path, monkeypatch):
    monkeypatch.setattr(catalogs, "TRANSLATIONS", tmp_path)
    po = tmp_path / "core" / "zh_CN" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    seed = catalogs.new_catalog("zh_CN")
    seed.add("Save", "保存")
    seed.add("A message the code no longer uses", "旧文案")
    with po.open("wb") as fileobj:
        write_po(fileobj, seed)

    path, added, stale = catalogs.update("core")

    catalog = catalogs.load(path)
    assert catalog.get("Save").string == "保存"
    assert catalog.get("Sign in") is not None and catalog.get("Sign in").string == ""
    assert catalog.get("A message the code no longer uses") is None
    assert "A message the code no longer uses" in catalog.obsolete
    assert added > 100 and stale == 1
    assert catalogs.update("core")[1:] == (0, 0)  # a second run changes nothing


# (b) placeholders ------------------------------------------------------------------------------------------

def _conversions(text: str) -> tuple[set[str], int]:
    names, positional = set(), 0
    for match in CONVERSION.finditer(text):
        if match["type"] == "%":
            continue
        if match["name"]:
            names.add(match["name"])
        else:
            positional += 1
    return names, positional


class _AnyValue(dict):
    def __missing__(self, key):
        return 1


def _formats(text: str) -> bool:
    try:
        text % _AnyValue()
    except (ValueError, TypeError, KeyError):
        return False
    return True


def test_template_messages_are_format_strings():
    """Jinja's gettext always applies %, even with no variables: a bare "80%" in a template is a 500."""
    bad = [entry for entry in catalogs.extract().values()
           if any(path.endswith(".html") for path, _line in entry.locations)
           and not all(_formats(msgid) for msgid in (entry.msgid if isinstance(entry.msgid, tuple)
                                                       else (entry.msgid,)))]
    if bad:
        pytest.fail("Write a literal % as %% in these template messages:\n" + catalogs.describe(bad),
                    pytrace=False)


@pytest.mark.parametrize("po", ALL_PO, ids=_id)
def test_placeholders_match(po):
    """A msgstr carries exactly the msgid's %(name)s placeholders, and formats wherever the msgid does."""
    problems = []
    for message in catalogs.load(po, po.parent.parent.name):
        if not message.id or not catalogs.is_translated(message):
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set().union(*(_conversions(i)[0] for i in ids))
        in_template = any(path.endswith(".html") for path, _line in message.locations)
        if in_template and not _formats(ids[0]):
            # Jinja's gettext always applies %, so "80% of" is read as a "% o" conversion and fails.
            problems.append(f"{ids[0]!r}: templates format every message; write a literal % as %% "
                            f"({', '.join(f'{p}:{n}' for p, n in message.locations)})")
            continue
        for string in strings:
            names, positional = _conversions(string)
            if names != wanted or positional != _conversions(ids[0])[1]:
                problems.append(f"{ids[0]!r}: msgstr {string!r} has placeholders {sorted(names)} "
                                f"(+{positional} unnamed), msgid has {sorted(wanted)} "
                                f"(+{_conversions(ids[0])[1]} unnamed)")
            elif _formats(ids[0]) and not _formats(string):
                problems.append(f"{ids[0]!r}: msgstr {string!r} is not a valid format string (write % as %%)")
    assert not problems, "\n".join(problems)


# (c) every catalog parses -----------------------------------------------------------------------------------

@pytest.mark.parametrize("po", ALL_PO, ids=_id)
def test_catalog_parses_and_compiles(po):
    locale = po.parent.parent.name
    with po.open("rb") as fileobj:
        catalog = read_po(fileobj, abort_invalid=True)
    assert catalog.locale_identifier == locale, f"{po}: header says Language: {catalog.locale_identifier}"

    write_mo(io.BytesIO(), catalog, use_fuzzy=True)


def test_english_is_a_declared_catalog():
    assert (catalogs.TRANSLATIONS / "core" / "en" / "LC_MESSAGES" / "messages.po").exists()


# (d) pages in Chinese and English ---------------------------------------------------------------------------

def test_chinese_catalogs_are_loaded(app):
    """Babel reads zh_CN as zh_Hans_CN; the app must still find the translations/*/zh_CN folders."""
    with app.test_request_context("/?lang=zh_CN"), force_locale("zh_CN"):
        assert gettext("Sign in") != "Sign in", (
            "zh_CN catalogs are not loaded: install crm.core.i18n.FeatureCatalogs in create_app "
            "(babel.domain_instance = FeatureCatalogs()) or the catalogs cannot be found.")


def test_chinese_plurals_use_the_single_chinese_form(app):
    """zh has one plural form; a feature folder without zh_CN must not bring English's n != 1 back."""
    plurals = [m for path in catalogs.catalog_paths("zh_CN") for m in catalogs.load(path)
               if isinstance(m.id, tuple) and catalogs.is_translated(m)]
    if not plurals:
        pytest.skip("no plural message in the zh_CN catalogs")
    with app.test_request_context("/?lang=zh_CN"), force_locale("zh_CN"):
        translations = get_translations()
        for message in plurals:
            assert translations.ungettext(message.id[0], message.id[1], 5) == message.string[0], message.id[0]


@pytest.fixture
def browser(app):
    """A client whose every request runs in its own app context, as in production.

    The shared `client` fixture runs inside the `db` fixture's app context, so all its requests share
    one `g`, where Flask-Babel caches the locale: the first request's language would stick.
    These pages only read the database, so they need no cleanup.
    """
    return app.test_client()


@pytest.fixture
def no_configured_locale(app, monkeypatch):
    monkeypatch.setitem(app.config, "CRM_LOCALE", None)


def test_enquiry_page_in_chinese(browser, zh):
    page = browser.get("/enquiry?lang=zh_CN").get_data(as_text=True)
    for msgid in ("Need / 需求", "Intended use / 用途", "Company / 公司", "Mobile / 手机号", "Send enquiry",
                  "Investment enquiry"):
        assert zh(msgid) in page, msgid
    assert "Tell us what you plan to build" not in page
    assert 'lang="zh-CN"' in page


def test_enquiry_errors_in_chinese(browser, zh):
    response = browser.post("/enquiry?lang=zh_CN", data={"need": "land", "mobile": "12"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert zh("Enter your company name.") in page
    assert zh("Your consent is needed to process the enquiry.") in page


def test_enquiry_choices_in_chinese(app, browser, zh):
    """Select options are labels too: they must be translated per request, not once at import."""
    with app.test_request_context("/?lang=en"):
        msgids = [LEAD_KINDS.label(code) for code in LEAD_KINDS]
    page = browser.get("/enquiry?lang=zh_CN").get_data(as_text=True)
    untranslated = [msgid for msgid in msgids if zh(msgid) not in page]
    assert not untranslated, f"need options not in Chinese: {untranslated}"


def test_login_page_in_chinese(browser, zh):
    page = browser.get("/login?lang=zh_CN").get_data(as_text=True)
    for msgid in ("Staff sign-in", "Password", "Keep me signed in", "Sign in"):
        assert zh(msgid) in page, msgid


def test_enquiry_page_in_english(browser, zh):
    page = browser.get("/enquiry?lang=en").get_data(as_text=True)
    for text in ("Need / 需求", "Intended use / 用途", "Send enquiry", "Tell us what you plan to build"):
        assert str(escape(text)) in page, text
    assert zh("Send enquiry") not in page
    assert 'lang="en"' in page


def test_login_page_in_english(browser, zh):
    page = browser.get("/login?lang=en").get_data(as_text=True)
    for text in ("Staff sign-in", "Password", "Keep me signed in"):
        assert text in page
    assert zh("Staff sign-in") not in page


def test_browser_language_is_followed(browser, zh, no_configured_locale):
    english = browser.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    chinese = browser.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).get_data(as_text=True)
    assert "Staff sign-in" in english
    assert zh("Staff sign-in") in chinese


# (e) the language switch and CRM_LOCALE ---------------------------------------------------------------------

def test_language_switch_is_remembered(browser, zh, no_configured_locale):
    response = browser.get("/language/en?next=/login")
    assert response.status_code in (302, 303)
    with browser.session_transaction() as session:
        assert session[LOCALE_SESSION_KEY] == "en"
    chinese_browser = {"Accept-Language": "zh-CN,zh;q=0.9"}
    assert "Staff sign-in" in browser.get("/login", headers=chinese_browser).get_data(as_text=True)
    assert "Send enquiry" in browser.get("/enquiry", headers=chinese_browser).get_data(as_text=True)

    browser.get("/language/zh_CN")
    assert zh("Staff sign-in") in browser.get("/login").get_data(as_text=True)


def test_unknown_language_is_ignored(browser, zh, no_configured_locale):
    browser.get("/language/xx")
    with browser.session_transaction() as session:
        assert LOCALE_SESSION_KEY not in session
    assert zh("Staff sign-in") in browser.get("/login").get_data(as_text=True)


def test_crm_locale_sets_the_default(browser, app, zh, monkeypatch):
    """With no session choice and no Accept-Language, CRM_LOCALE decides; without it, Chinese."""
    monkeypatch.setitem(app.config, "CRM_LOCALE", "en")
    assert "Staff sign-in" in browser.get("/login").get_data(as_text=True)
    monkeypatch.setitem(app.config, "CRM_LOCALE", "zh_CN")
    assert zh("Staff sign-in") in browser.get("/login").get_data(as_text=True)
    monkeypatch.setitem(app.config, "CRM_LOCALE", None)
    assert zh("Staff sign-in") in browser.get("/login").get_data(as_text=True)


def test_session_choice_beats_crm_locale(browser, app, zh, monkeypatch):
    monkeypatch.setitem(app.config, "CRM_LOCALE", "en")
    browser.get("/language/zh_CN")
    assert zh("Staff sign-in") in browser.get("/login").get_data(as_text=True)
