"""Mobiles read the way a zone office reads them (138 1234 5678) on pages and in PDFs, while links, exports,
the API and search keep working with the stored E.164 form (+8613812345678)."""

import io
import re

import pytest
from openpyxl import load_workbook

from crm.core.formatting import phone_number
from crm.extensions import db as _db
from crm.leads import services
from crm.leads.display import field_value
from tests.briefs import pdfs
from tests.factories import make_lead, make_user

MOBILE = "+8613811112222"
GROUPED = "138 1111 2222"


# ---------------------------------------------------------------------------------------------- formatter

@pytest.mark.parametrize("stored, shown", [
    ("+8613812345678", "138 1234 5678"),
    ("+8617012345678", "170 1234 5678"),
    ("+8619912345678", "199 1234 5678"),
    ("13807312345", "138 0731 2345"),  # as typed, before normalising (the conflict page shows that)
    ("+8673188886666", "0731 8888 6666"),  # a Zhuzhou landline: area code first, as dialled at home
    ("+861064123456", "010 6412 3456"),
    ("+4930123456", "+49 30 123456"),
    ("+14155552671", "+1 415-555-2671"),
    ("+85291234567", "+852 9123 4567"),  # Hong Kong dials internationally from the mainland
])
def test_numbers_are_grouped_as_people_read_them(stored, shown):
    assert phone_number(stored) == shown


@pytest.mark.parametrize("raw", [
    "garbage", "12345", "+999 1234567", "+867318888666", "138abcd2345", "请打座机", "0731-8888666 转 8",
    "+86138****5678",  # masked: never parsed into a shorter, wrong number
    "+86 138****5678",
])
def test_what_is_not_a_valid_number_is_shown_as_it_is(raw):
    assert phone_number(raw) == raw


@pytest.mark.parametrize("empty", [None, ""])
def test_no_number_is_no_text(empty):
    assert phone_number(empty) == ""


def test_field_value_groups_a_mobile_for_the_timeline_conflict_and_merge_pages():
    assert field_value("mobile", MOBILE) == GROUPED
    assert field_value("mobile", "+86138****2222") == "+86138****2222"
    assert field_value("mobile", None) == "—"


# ---------------------------------------------------------------------------------------------- pages

def _html(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_the_owner_reads_the_grouped_mobile_and_calls_the_e164_one(client, login):
    owner = login(make_user())
    lead = make_lead(by=owner, owner=owner, mobile="13811112222")
    html = _html(client, f"/leads/{lead.id}")
    cell = re.search(r'<dd class="col-7 lead-mobile">(.*?)</dd>', html, re.S).group(1)
    assert f'<a href="tel:{MOBILE}">{GROUPED}</a>' in cell


def test_other_officers_still_see_the_masked_mobile_and_no_link(client, login):
    owner = make_user()
    lead = make_lead(by=owner, owner=owner, mobile="13811112222")
    login(make_user())
    html = _html(client, f"/leads/{lead.id}")
    assert "+86138****2222" in html
    assert GROUPED not in html and MOBILE not in html and "tel:" not in html


def test_a_changed_mobile_in_the_timeline_is_grouped(client, login):
    owner = login(make_user())
    lead = make_lead(by=owner, owner=owner, mobile="13811112222")
    services.update_lead(lead, {"mobile": "+4930123456"}, by=owner, expected_version=lead.version)
    _db.session.commit()
    html = _html(client, f"/leads/{lead.id}")
    assert f"{GROUPED}</span> → <strong>+49 30 123456</strong>" in html


def test_the_edit_conflict_page_groups_both_mobiles(client, login):
    owner = login(make_user())
    lead = make_lead(by=owner, owner=owner, mobile="13811112222")
    seen_version = lead.version
    services.update_lead(lead, {"mobile": "13900001111"}, by=make_user("manager"), expected_version=lead.version)
    _db.session.commit()
    response = client.post(f"/leads/{lead.id}/edit", data={
        "kind": lead.kind, "source": lead.source, "company_name": lead.company_name,
        "contact_name": lead.contact_name, "mobile": "138 1111 2222", "priority": "2", "version": seen_version})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    table = re.search(r'<table class="table table-bordered conflict-table">(.*?)</table>', html, re.S).group(1)
    assert GROUPED in table and "139 0000 1111" in table and "+8613900001111" not in table


def test_the_lead_brief_prints_the_grouped_mobile(client, login):
    owner = login(make_user())
    lead = make_lead(by=owner, owner=owner, mobile="13811112222", company_name="株洲信息港科技有限公司")
    response = client.get(f"/leads/{lead.id}/brief.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    printed = "\n".join(pdfs.pages_text(response.data))
    assert "株洲信息港科技有限公司" in printed
    assert GROUPED in printed, printed
    assert MOBILE not in printed


def test_the_lead_brief_keeps_a_masked_mobile_masked(client, login):
    owner = make_user()
    lead = make_lead(by=owner, owner=owner, mobile="13811112222")
    login(make_user())
    printed = pdfs.text(client.get(f"/leads/{lead.id}/brief.pdf").data)
    assert "+86138****2222" in printed and "13811112222" not in printed


# ------------------------------------------------------------------------------ search and machine formats

@pytest.mark.parametrize("typed", [GROUPED, "138-1111-2222", "+86 138 1111 2222", "1111 2222", MOBILE])
def test_a_mobile_typed_with_spaces_still_finds_the_lead(client, login, typed):
    owner = login(make_user())
    target = make_lead(by=owner, owner=owner, mobile="13811112222", company_name="湖南意华交通装备股份有限公司")
    make_lead(by=owner, owner=owner, mobile="13922223333", company_name="株洲其他电子有限公司")
    html = _html(client, f"/leads?q={typed.replace('+', '%2B')}")
    assert target.company_name in html and "株洲其他电子有限公司" not in html


def test_exports_and_the_api_keep_the_e164_form(client, login):
    from crm.auth import services as accounts

    manager = login(make_user("manager"))
    lead = make_lead(by=manager, owner=manager, mobile="13811112222")
    body = client.get("/leads/export.csv").data.decode("utf-8-sig")
    assert "8613811112222" in body and GROUPED not in body
    sheet = load_workbook(io.BytesIO(client.get("/leads/export.xlsx").data), read_only=True).worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[1][rows[0].index("手机号")] == MOBILE
    token = accounts.create_token(manager, "t")
    _db.session.commit()
    data = client.get(f"/api/v1/leads/{lead.id}", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert data["mobile"] == MOBILE
