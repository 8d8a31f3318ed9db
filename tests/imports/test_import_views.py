"""The import pages: upload → columns → preview with choices → commit, the record, and who may see what."""

import re

import pytest
from sqlalchemy import select

from crm.extensions import db
from crm.imports.models import LeadImport, LeadImportRow
from crm.leads.models import Lead
from tests.factories import make_lead, make_user
from tests.imports.kit import ZH_HEADERS, csv_bytes, lead_count, map_rows, stage, upload, xlsx_bytes, zh_row


def _import() -> LeadImport:
    return db.session.scalars(select(LeadImport).order_by(LeadImport.id.desc())).first()


def test_the_whole_flow_through_the_pages(client, login):
    officer = login(make_user("officer"))
    known = make_lead(by=officer, owner=officer, mobile="13900000003", email=None)
    data = xlsx_bytes([["2026 长沙工程机械展"], ZH_HEADERS, zh_row(1), zh_row(2), zh_row(3), zh_row(4, 手机号="x")])

    response = upload(client, data, "展会名单.xlsx")
    assert response.status_code == 303
    lead_import = _import()
    assert response.headers["Location"].endswith(f"/imports/{lead_import.id}/mapping")

    page = client.get(f"/imports/{lead_import.id}/mapping").get_data(as_text=True)
    assert "参展单位" in page and 'value="company_name" selected' in page and "湖南博览001科技有限公司" in page
    mapping = {f"col-{i}": key for key, i in lead_import.mapping.items()}
    response = client.post(f"/imports/{lead_import.id}/mapping", data={**mapping, "kind": "factory_rental",
                                                                       "source": "expo"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/preview")

    page = client.get(f"/imports/{lead_import.id}/preview").get_data(as_text=True)
    assert re.search(r'id="count-new">\s*2<', page) and re.search(r'id="count-collision">\s*1<', page)
    assert re.search(r'id="count-error">\s*1<', page)
    assert known.reference in page and 'id="row-6"' in page  # the bad mobile, on row 6 of the sheet
    row = db.session.scalars(select(LeadImportRow).where(LeadImportRow.match_lead_id == known.id)).one()

    response = client.post(f"/imports/{lead_import.id}/preview",
                           data={f"choice-{row.id}": "merge", "action": "commit"})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/imports/{lead_import.id}")
    assert lead_count() == 3
    db.session.refresh(known)
    assert known.email == "c3@expo.example"

    record = client.get(f"/imports/{lead_import.id}?lang=en").get_data(as_text=True)
    assert "展会名单.xlsx" in record and officer.name in record
    assert "2 created, 1 merged, 0 skipped, 1 with errors" in record
    listing = client.get("/imports").get_data(as_text=True)
    assert "展会名单.xlsx" in listing
    # Done: the mapping and preview pages now lead to the record.
    assert client.get(f"/imports/{lead_import.id}/preview").status_code == 302
    assert client.post(f"/imports/{lead_import.id}/preview", data={"action": "commit"}).status_code == 302
    assert lead_count() == 3


def test_record_page_in_english_lists_counts_and_errors(client, login):
    officer = login(make_user("officer"))
    lead_import = stage(csv_bytes([ZH_HEADERS, zh_row(1), zh_row(2, 联系人="")]), "en.csv", by=officer)
    client.post(f"/imports/{lead_import.id}/mapping?lang=en",
                data={**{f"col-{i}": k for k, i in lead_import.mapping.items()}, "kind": "land",
                      "source": "expo"})
    client.post(f"/imports/{lead_import.id}/preview?lang=en", data={"action": "commit"})
    page = client.get(f"/imports/{lead_import.id}?lang=en").get_data(as_text=True)
    assert "1 created, 0 merged, 0 skipped, 1 with errors" in page
    assert "Enter a contact person." in page


def test_a_refused_file_shows_why_and_stages_nothing(client, login):
    login(make_user("officer"))
    response = upload(client, b"PK\x03\x04 not really a workbook", "list.xlsx")
    assert response.status_code == 400 and "import-refused" in response.get_data(as_text=True)
    response = upload(client, b"", "empty.csv")
    assert response.status_code == 400
    assert client.post("/imports/new", data={}).status_code == 400  # no file at all
    assert db.session.scalars(select(LeadImport)).first() is None


def test_mapping_errors_are_shown_and_change_nothing(client, login):
    officer = login(make_user("officer"))
    lead_import = stage(csv_bytes([ZH_HEADERS, zh_row(1)]), "a.csv", by=officer)
    twice = {"col-1": "company_name", "col-2": "company_name", "kind": "land", "source": "expo"}
    assert client.post(f"/imports/{lead_import.id}/mapping", data=twice).status_code == 400
    missing = {"col-1": "company_name", "kind": "land", "source": "expo"}
    assert client.post(f"/imports/{lead_import.id}/mapping", data=missing).status_code == 400
    unknown = {"col-1": "company_name", "col-2": "contact_name", "col-3": "password", "kind": "land",
               "source": "expo"}
    assert client.post(f"/imports/{lead_import.id}/mapping", data=unknown).status_code == 400
    db.session.refresh(lead_import)
    assert lead_import.status == "mapping"


def test_bad_choices_are_refused(client, login):
    officer = login(make_user("officer"))
    colleague = make_user("officer")
    theirs = make_lead(by=colleague, owner=colleague, mobile="13900000001")
    lead_import = stage(csv_bytes([ZH_HEADERS, zh_row(1)]), "a.csv", by=officer)
    map_rows(lead_import, by=officer)
    row = db.session.scalars(select(LeadImportRow)).one()
    assert row.match_lead_id == theirs.id
    url = f"/imports/{lead_import.id}/preview"
    assert client.post(url, data={f"choice-{row.id}": "merge", "action": "save"}).status_code == 409
    assert client.post(url, data={f"choice-{row.id}": "explode", "action": "save"}).status_code == 409
    assert client.post(url, data={"choice-999999": "skip", "action": "save"}).status_code == 409
    assert client.post(url, data={"action": "all", "state": "nonsense", "choice": "skip"}).status_code == 400
    assert client.post(url, data={"action": "all", "state": "collision", "choice": "create"}).status_code == 303
    db.session.refresh(row)
    assert row.choice == "create"


@pytest.mark.parametrize("path, method", [
    ("", "GET"), ("/mapping", "GET"), ("/mapping", "POST"), ("/preview", "GET"), ("/preview", "POST"),
    ("/discard", "POST"),
])
def test_other_officers_get_403(client, login, path, method):
    owner = make_user("officer")
    lead_import = stage(csv_bytes([ZH_HEADERS, zh_row(1)]), "a.csv", by=owner)
    login(make_user("officer"))
    response = client.open(f"/imports/{lead_import.id}{path}", method=method, data={} if method == "POST" else None)
    assert response.status_code == 403
    db.session.refresh(lead_import)
    assert lead_import.status == "mapping"


def test_managers_see_every_import_officers_their_own(client, login):
    owner = make_user("officer", name="导入者甲")
    stage(csv_bytes([ZH_HEADERS, zh_row(1)]), "甲的名单.csv", by=owner)
    login(make_user("officer"))
    assert "甲的名单.csv" not in client.get("/imports").get_data(as_text=True)
    client.post("/logout")
    login(make_user("manager"))
    assert "甲的名单.csv" in client.get("/imports").get_data(as_text=True)
    assert client.get(f"/imports/{_import().id}").status_code == 200


def test_signed_out_visitors_are_sent_to_sign_in(client):
    assert client.get("/imports").status_code == 302
    assert upload(client, b"a,b\n", "a.csv").status_code in (302, 400)
    assert db.session.scalars(select(Lead)).first() is None


def test_the_lead_list_links_to_the_import(client, login):
    login(make_user("officer"))
    page = client.get("/leads").get_data(as_text=True)
    assert 'href="/imports/new"' in page
