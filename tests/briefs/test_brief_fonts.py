"""The brief font: present, fast to subset, covering every character the demo zone and the UI print."""

import importlib
import logging
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from crm.briefs import fonts
from crm.briefs.fetcher import StaticFilesFetcher

ROOT = Path(__file__).resolve().parents[2]


def _strings(value):
    """Every string inside a module-level constant (nested tuples, lists, dicts, sets)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from _strings(item)


def demo_strings() -> list[str]:
    """The demo zone's names, places, outcomes... (crm/demo/*.py constants) and its configured name."""
    found = []
    for module_name in ("crm.demo.names", "crm.demo.seed", "crm.demo.plan"):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        for name, value in vars(module).items():
            if name.isupper():
                found.extend(_strings(value))
    return found


def catalog_strings() -> list[str]:
    """Every zh_CN msgstr of every feature's catalog."""
    found = []
    for path in sorted((ROOT / "translations").glob("*/zh_CN/LC_MESSAGES/messages.po")):
        with path.open("rb") as handle:
            for message in read_po(handle, locale="zh_CN"):
                strings = message.string if isinstance(message.string, list | tuple) else [message.string]
                found.extend(s for s in strings if s)
    return found


@pytest.fixture(scope="module")
def font():
    path = fonts.font_path()
    if path is None:
        pytest.fail("No CJK font for briefs: run `make system-deps` (fonts-wqy-microhei) or add one to static/fonts/")
    return path


def test_the_font_is_a_file_we_name_not_whatever_is_installed(font):
    assert font.is_file() and font.suffix in (".ttf", ".otf", ".ttc")


def test_every_demo_character_renders_in_the_brief_font(app, font):
    strings = demo_strings() + [app.config["ZONE_NAME"], app.config["ZONE_NAME_EN"]]
    assert len(strings) > 50, "the demo zone's name lists were not found"
    missing = fonts.missing_characters("".join(strings), font)
    assert not missing, f"{font.name} has no glyph for {sorted(missing)}"


def test_every_translated_message_renders_in_the_brief_font(font):
    strings = catalog_strings()
    assert strings
    missing = fonts.missing_characters("".join(strings), font)
    assert not missing, f"{font.name} has no glyph for {sorted(missing)}"


def test_industry_chains_render_in_the_brief_font(app, font):
    names = importlib.import_module("crm.demo.names")
    labels = "".join(_strings(getattr(names, "INDUSTRIES", ())))
    assert not fonts.missing_characters(labels, font)


def test_harfbuzz_subsetting_is_available_here():
    """`make system-deps` installs libharfbuzz-subset0; without it a Chinese page takes seconds."""
    assert fonts.harfbuzz_subsetting()


@pytest.fixture
def font_log(monkeypatch):
    """The module's logger, re-enabled: Alembic's fileConfig (run by the app fixture) disables it."""
    monkeypatch.setattr(fonts.log, "disabled", False)
    return fonts.log


def test_start_up_warns_when_briefs_would_be_slow(app, monkeypatch, caplog, font_log):
    monkeypatch.setattr(fonts, "harfbuzz_subsetting", lambda: False)
    with caplog.at_level(logging.WARNING, logger="crm.briefs.fonts"):
        problems = fonts.check(app)
    assert problems and "libharfbuzz-subset" in caplog.text


def test_start_up_is_quiet_when_all_is_well(app, caplog, font_log):
    with caplog.at_level(logging.WARNING, logger="crm.briefs.fonts"):
        assert fonts.check(app) == []
    assert not caplog.records


def test_fetcher_serves_only_static_files_and_the_font(app, font, tmp_path):
    static = Path(app.static_folder)
    fetcher = StaticFilesFetcher(folders=[static], files=[font])
    css = fetcher.fetch((static / "css" / "brief.css").resolve().as_uri())
    assert css.content_type == "text/css" and b"@page" in css.read()
    assert fetcher.fetch(font.resolve().as_uri()).read(4)
    secret = tmp_path / "secret.txt"
    secret.write_text("no")
    for url in ("http://169.254.169.254/latest/meta-data", "https://example.com/x.css", "file:///etc/passwd",
                secret.as_uri(), (static / ".." / "config.py").as_uri(), "ftp://example.com/x",
                "data:text/css,body{}", "file://remote-host/share/x.css"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_create_app_runs_the_check(monkeypatch, caplog, font_log, tmp_path):
    from config import TestingConfig
    from crm import create_app

    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'check.db'}"

    monkeypatch.setattr(fonts, "harfbuzz_subsetting", lambda: False)
    with caplog.at_level(logging.WARNING, logger="crm.briefs.fonts"):
        create_app(Config)
    assert "PDF briefs will be slow" in caplog.text


def test_characters_written_into_the_brief_templates_render(font):
    """Symbols typed straight into templates/briefs (✓ × · — → …) must be in the font too."""
    text = "".join(path.read_text(encoding="utf-8") for path in (ROOT / "templates" / "briefs").glob("*.html"))
    text += (ROOT / "crm" / "briefs" / "queries.py").read_text(encoding="utf-8")
    assert not fonts.missing_characters("".join(ch for ch in text if ord(ch) > 127), font)
