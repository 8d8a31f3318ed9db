"""Every place a lead is shown - lists, the lead page, the board, my day, notices, the API, PDFs, the
dashboard - shows its personal details as the reader may see them."""

import io
from datetime import timedelta

import pytest
from privacy_helpers import MASKED, MOBILE, confidential_lead, owned_lead, page
from pypdf import PdfReader

from crm.core.database import utcnow
from crm.extensions import db
from crm.leads import services as leads
from tests.factories import make_lead

COMPANY = "湖南星驰动力科技有限公司"


def _pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF")
    return "".join((p.extract_text() or "") for p in PdfReader(io.BytesIO(data)).pages).replace(" ", "").replace(
        "\n", "")


# ---------------------------------------------------------------------------------------------- mobiles

def test_the_lead_page_masks_the_mobile_for_other_officers_and_names_whom_to_ask(people, browser_as):
    lead = owned_lead(people.owner)
    html = page(browser_as(people.other), f"/leads/{lead.id}")
    assert MASKED in html and MOBILE not in html
    assert "请联系 李伟" in html
    assert "w***@xingchi-power.cn" in html and "wang@xingchi-power.cn" not in html


@pytest.mark.parametrize("reader", ["owner", "manager", "admin"])
def test_the_owner_and_managers_see_the_full_mobile(people, browser_as, reader):
    lead = owned_lead(people.owner)
    html = page(browser_as(getattr(people, reader)), f"/leads/{lead.id}")
    assert MOBILE in html and MASKED not in html


def test_a_changed_mobile_in_the_timeline_is_masked_too(people, browser_as):
    lead = owned_lead(people.owner)
    leads.update_lead(lead, {"mobile": "+8613900001111"}, by=people.owner, expected_version=lead.version)
    db.session.commit()
    html = page(browser_as(people.other), f"/leads/{lead.id}")
    assert "+86139****1111" in html and "+8613900001111" not in html
    assert MOBILE not in html


def test_the_api_masks_the_mobile_for_other_officers(people, db):
    from crm.auth import services as accounts

    lead = owned_lead(people.owner)
    headers = {role: {"Authorization": f"Bearer {accounts.create_token(getattr(people, role), 't')}"}
               for role in ("owner", "other", "manager")}
    db.session.commit()
    from flask import current_app

    client = current_app.test_client()
    seen = {role: client.get(f"/api/v1/leads/{lead.id}", headers=h).get_json() for role, h in headers.items()}
    assert seen["owner"]["mobile"] == MOBILE and seen["manager"]["mobile"] == MOBILE
    assert seen["other"]["mobile"] == MASKED
    listed = client.get("/api/v1/leads", headers=headers["other"]).get_json()["items"]
    assert [item["mobile"] for item in listed] == [MASKED]


def test_the_pdf_brief_masks_the_mobile_for_other_officers(people, browser_as):
    lead = owned_lead(people.owner)
    response = browser_as(people.other).get(f"/leads/{lead.id}/brief.pdf")
    text = _pdf_text(response.data)
    assert COMPANY in text
    assert MASKED in text and MOBILE not in text


# ----------------------------------------------------------------------------------------- confidential

def test_other_officers_see_a_confidential_lead_by_its_codename_on_its_page(people, browser_as):
    lead = confidential_lead(people.owner, codename="项目A-07")
    html = page(browser_as(people.other), f"/leads/{lead.id}")
    assert "项目A-07" in html
    for secret in (COMPANY, "王建国", "138", "xingchi", "星驰"):
        assert secret not in html, secret
    assert f'action="/leads/{lead.id}/confidential"' not in html  # not theirs to change


def test_the_owner_sees_a_confidential_lead_in_full_with_its_form(people, browser_as):
    lead = confidential_lead(people.owner, codename="项目A-07")
    html = page(browser_as(people.owner), f"/leads/{lead.id}")
    assert COMPANY in html and "王建国" in html and MOBILE in html and "项目A-07" in html
    assert f'action="/leads/{lead.id}/confidential"' in html


def test_activity_notes_of_a_confidential_lead_are_hidden_from_other_officers(people, browser_as):
    lead = confidential_lead(people.owner)
    leads.log_activity(lead, kind="visit", outcome="陪星驰王总看了B3厂房", by=people.owner)
    db.session.commit()
    assert "陪星驰王总" not in page(browser_as(people.other), f"/leads/{lead.id}")
    assert "陪星驰王总" in page(browser_as(people.owner), f"/leads/{lead.id}")


def test_the_lead_list_shows_the_codename_and_search_does_not_reveal_the_company(people, browser_as):
    lead = confidential_lead(people.owner, codename="项目A-07")
    other, manager = browser_as(people.other), browser_as(people.manager)
    html = page(other, "/leads")
    assert "项目A-07" in html and COMPANY not in html and "王建国" not in html
    assert lead.reference not in page(other, "/leads?q=星驰")  # a hit alone would tell them
    assert lead.reference not in page(other, "/leads?q=13807312345")
    assert lead.reference in page(other, "/leads?q=项目A-07")
    assert lead.reference in page(other, f"/leads?q={lead.reference}")
    assert lead.reference in page(manager, "/leads?q=星驰")
    assert lead.reference in page(browser_as(people.owner), "/leads?q=星驰")


def test_a_search_still_finds_ordinary_leads_for_everyone(people, browser_as):
    open_lead = owned_lead(people.owner, company_name="株洲信息港科技有限公司")
    assert open_lead.reference in page(browser_as(people.other), "/leads?q=信息港")


def test_the_board_card_shows_the_codename_to_other_officers(people, browser_as):
    lead = confidential_lead(people.owner, codename="项目A-07")
    html = page(browser_as(people.other), "/pipeline?owner=all")
    assert f'id="card-{lead.id}"' in html and "项目A-07" in html and COMPANY not in html
    assert COMPANY in page(browser_as(people.manager), "/pipeline?owner=all")
    card = page(browser_as(people.other), f"/pipeline/{lead.id}/card")
    assert "项目A-07" in card and COMPANY not in card


def test_my_day_shows_an_unassigned_confidential_lead_by_codename(people, browser_as):
    lead = confidential_lead(people.owner, codename="项目B-01")
    leads.assign_lead(lead, None, by=people.manager)
    db.session.commit()
    html = page(browser_as(people.other), "/leads/my-day")
    assert "项目B-01" in html and COMPANY not in html


def test_an_old_notice_shows_the_codename_once_the_lead_is_someone_elses(people, browser_as):
    lead = owned_lead(people.other)
    leads.assign_lead(lead, people.other, by=people.manager)  # no change: other already owns it
    leads.assign_lead(lead, people.owner, by=people.manager)
    leads.assign_lead(lead, people.other, by=people.manager)  # `other` gets an "assigned" notice
    leads.assign_lead(lead, people.owner, by=people.manager)
    db.session.commit()
    from crm.privacy import services as privacy

    privacy.set_confidential(lead, confidential=True, codename="项目C-03", by=people.owner)
    db.session.commit()
    html = page(browser_as(people.other), "/notifications")
    assert "项目C-03" in html and COMPANY not in html


def test_the_api_shows_a_confidential_lead_by_its_codename(people, db):
    from flask import current_app

    from crm.auth import services as accounts

    lead = confidential_lead(people.owner, codename="项目A-07")
    other = {"Authorization": f"Bearer {accounts.create_token(people.other, 't')}"}
    owner = {"Authorization": f"Bearer {accounts.create_token(people.owner, 't')}"}
    db.session.commit()
    client = current_app.test_client()
    seen = client.get(f"/api/v1/leads/{lead.id}", headers=other).get_json()
    assert seen["company_name"] == "项目A-07" and seen["is_confidential"] is True
    assert seen["contact_name"] is None and seen["mobile"] is None and seen["email"] is None
    assert seen["message"] is None
    assert client.get("/api/v1/leads?q=星驰", headers=other).get_json()["total"] == 0
    assert client.get("/api/v1/leads?q=项目A-07", headers=other).get_json()["total"] == 1
    full = client.get(f"/api/v1/leads/{lead.id}", headers=owner).get_json()
    assert full["company_name"] == COMPANY and full["mobile"] == MOBILE


def test_the_pdf_brief_shows_the_codename_to_other_officers(people, browser_as, artifacts):
    lead = confidential_lead(people.owner, codename="项目A-07")
    leads.log_activity(lead, kind="call", outcome="星驰王总确认下周来访", by=people.owner)
    db.session.commit()
    response = browser_as(people.other).get(f"/leads/{lead.id}/brief.pdf")
    assert response.status_code == 200
    (artifacts / "privacy-confidential-brief.pdf").write_bytes(response.data)
    text = _pdf_text(response.data)
    assert "项目A-07" in text
    for secret in ("星驰", "王建国", "13807312345", "2345", "xingchi"):
        assert secret not in text, secret
    assert COMPANY in _pdf_text(browser_as(people.manager).get(f"/leads/{lead.id}/brief.pdf").data)


def test_the_dashboard_lists_a_stale_confidential_lead_by_codename(people, browser_as):
    lead = confidential_lead(people.owner, codename="项目D-09")
    lead.created_at = lead.stage_entered_at = utcnow() - timedelta(days=90)
    db.session.commit()
    html = page(browser_as(people.other), "/dashboard")
    assert "项目D-09" in html and COMPANY not in html  # managers see it (tests/privacy/test_dashboard_names.py)


def test_a_collision_with_a_confidential_lead_names_only_its_codename(people, browser_as):
    secret = confidential_lead(people.owner, codename="项目A-07")
    mine = make_lead(by=people.other, company_name="星驰动力", mobile=MOBILE)
    assert mine.collides_with_id == secret.id
    html = page(browser_as(people.other), f"/leads/{mine.id}")
    assert "项目A-07" in html and COMPANY not in html


def test_the_api_hides_the_activity_notes_of_a_confidential_lead(people, db):
    from flask import current_app

    from crm.auth import services as accounts

    lead = confidential_lead(people.owner)
    leads.log_activity(lead, kind="call", outcome="星驰王总确认下周来访", by=people.owner)
    other = {"Authorization": f"Bearer {accounts.create_token(people.other, 't')}"}
    owner = {"Authorization": f"Bearer {accounts.create_token(people.owner, 't')}"}
    db.session.commit()
    client = current_app.test_client()
    url = f"/api/v1/leads/{lead.id}/activities"
    assert [a["outcome"] for a in client.get(url, headers=other).get_json()["items"]] == [""]
    assert [a["outcome"] for a in client.get(url, headers=owner).get_json()["items"]] == ["星驰王总确认下周来访"]
