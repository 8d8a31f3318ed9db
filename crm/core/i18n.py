"""Language choice (the user's switch, then CRM_LOCALE, then the browser) and catalog loading."""

from functools import lru_cache

from babel import Locale, support
from flask import current_app, has_request_context, request, session
from flask_babel import Domain, _get_current_context, get_locale

LOCALE_SESSION_KEY = "locale"


def select_locale() -> str:
    """Pick the UI locale for this request."""
    languages = current_app.config["LANGUAGES"]
    configured = current_app.config.get("CRM_LOCALE")
    if not has_request_context():  # CLI commands, services called from tests
        return normalise_locale(configured) if configured else current_app.config["BABEL_DEFAULT_LOCALE"]
    forced = request.args.get("lang")
    if forced:
        forced = normalise_locale(forced)
        if forced in languages:
            return forced
    chosen = session.get(LOCALE_SESSION_KEY)
    if chosen in languages:
        return chosen
    if configured and normalise_locale(configured) in languages:
        return normalise_locale(configured)
    best = request.accept_languages.best_match(["zh-CN", "zh", "en"])
    if best and best.startswith("en"):
        return "en"
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_parsed_locale() -> Locale:
    """select_locale() as a Babel Locale, parsed once per process: Flask-Babel would parse the code again on
    every request (Babel's likely-subtags lookup, a visible share of a cheap request such as POST /enquiry)."""
    return _parsed(select_locale())


@lru_cache(maxsize=16)
def _parsed(code: str) -> Locale:
    return Locale.parse(code)


def normalise_locale(value: str) -> str:
    """Map 'zh', 'zh-CN', 'zh_cn' to 'zh_CN' and 'en-US' to 'en'."""
    value = (value or "").replace("-", "_").strip()
    if value.lower().startswith("zh"):
        return "zh_CN"
    if value.lower().startswith("en"):
        return "en"
    return value


def catalog_names(locale: Locale) -> list[str]:
    """Folder names to try for `locale`, most specific first.

    Babel parses "zh_CN" as zh_Hans_CN, and gettext would then look in zh_Hans_CN/ and zh/ only,
    never in our zh_CN/ folders (a known trap: ckan#4413, flask-admin#403).
    """
    names = [str(locale)]
    if locale.territory:
        names.append(f"{locale.language}_{locale.territory}")
    names.append(locale.language)
    return list(dict.fromkeys(names))


class FeatureCatalogs(Domain):
    """Flask-Babel's default domain, merging every feature's catalog and finding zh_CN/ folders.

    Install it once in create_app, after babel.init_app: `babel.domain_instance = FeatureCatalogs()`.
    """

    def get_translations(self):
        # Same as flask_babel.Domain.get_translations (4.0) but for the folder names and plural rules, and a
        # memo of the last answer on the request: a list page calls gettext a hundred times or more, and
        # force_locale (PDFs, emails) gives a new Locale object, so identity tells when to look again.
        ctx = _get_current_context()
        if ctx is None:
            return support.NullTranslations()
        locale = get_locale()
        memo = getattr(ctx, "crm_translations", None)
        if memo is not None and memo[0] is locale and memo[1] is self:
            return memo[2]
        translations = self._translations_for(ctx, locale)
        ctx.crm_translations = (locale, self, translations)
        return translations

    def _translations_for(self, ctx, locale):
        cache = self.get_translations_cache(ctx)
        key = (str(locale), self.domain[0])
        if key not in cache:
            translations = support.Translations()
            for dirname in self.translation_directories:
                catalog = support.Translations.load(dirname, catalog_names(locale), self.domain[0])
                translations.merge(catalog)
                if catalog.files:  # a folder without this locale must not impose English plural rules
                    translations.plural = catalog.plural
            cache[key] = translations
        return cache[key]
