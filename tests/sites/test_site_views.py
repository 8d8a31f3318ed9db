"""Site pages: who may do what, forms, the lead page's site section, import and export."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from crm.core.formatting import local_today
from crm.extensions import db
from crm.sites.models import Site
from tests.factories import make_lead, make_user
from tests.projects.kit import make_site, xlsx_bytes

IMPORT_HEADERS = ["编号", "名称", "类型", "园区", "面积（㎡）", "占地（亩）", "层高（米）", "承重（吨/㎡）", "电力（kVA）",
                  "租金（元/㎡/月）", "售价（万元）", "状态"]


def _count() -> int:
    return db.session.scalar(select(func.count(Site.id)))


def test_the_inventory_lists_and_filters(client, login):
    login(make_user("officer"))
    make_site(code="TY-A1", park="天易科技城")
    make_site(code="BB-L1", kind="land_plot", park="北部园区", land_mu=Decimal("120"))
    page = client.get("/sites?kind=land_plot").get_data(as_text=True)
    assert "BB-L1" in page and "TY-A1" not in page
    page = client.get("/sites?park=天易科技城&min_size=1000&max_size=3000&status=free").get_data(as_text=True)
    assert "TY-A1" in page and "BB-L1" not in page
    assert client.get("/sites?min_size=abc&sort=nonsense&page=-3").status_code == 200


@pytest.mark.parametrize("path", ["/sites/new", "/sites/import"])
def test_officers_cannot_edit_the_inventory(client, login, path):
    login(make_user("officer"))
    assert client.get(path).status_code == 403


def test_a_manager_adds_and_edits_a_site(client, login):
    login(make_user("manager"))
    response = client.post("/sites/new", data={"code": "WY-F1", "kind": "standard_factory", "park": "五云峰片区",
                                               "area_m2": "3,000", "ceiling_height_m": "9", "power_kva": "800"})
    assert response.status_code == 302
    site = db.session.scalar(select(Site).where(Site.code == "WY-F1"))
    assert (site.area_m2, site.power_kva) == (Decimal("3000.00"), 800)
    assert "WY-F1" in client.get(f"/sites/{site.id}").get_data(as_text=True)
    response = client.post(f"/sites/{site.id}/edit", data={
        "version": "1", "code": "WY-F1", "kind": "standard_factory", "park": "五云峰片区", "area_m2": "3200"})
    assert response.status_code == 302
    # The same stale version again: a conflict, nothing overwritten.
    response = client.post(f"/sites/{site.id}/edit", data={
        "version": "1", "code": "WY-F1", "kind": "standard_factory", "park": "五云峰片区", "area_m2": "1"})
    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.get(Site, site.id).area_m2 == Decimal("3200.00")


def test_bad_site_forms_are_refused_with_field_errors(client, login):
    login(make_user("manager"))
    response = client.post("/sites/new", data={"code": "X", "kind": "land_plot", "park": "北部园区"})
    assert response.status_code == 400 and "mu" in response.get_data(as_text=True)
    response = client.post("/sites/new", data={"code": "X", "kind": "castle", "park": "北部园区", "area_m2": "1"})
    assert response.status_code == 400
    response = client.post("/sites/new", data={"code": "X", "kind": "office", "park": "北部园区", "area_m2": "abc"})
    assert response.status_code == 400
    assert _count() == 0


def test_the_lead_page_loads_its_site_section(client, login):
    officer = login(make_user("officer"))
    lead = make_lead(owner=officer, stage="site_visit", kind="factory_rental", floor_area_m2=Decimal("2000"),
                     intended_use="需要层高8米")
    make_site(code="FIT-1", area_m2=Decimal("2100"), ceiling_height_m=Decimal("9"))
    page = client.get(f"/leads/{lead.id}").get_data(as_text=True)
    assert f'hx-get="/sites/matches/{lead.id}"' in page
    fragment = client.get(f"/sites/matches/{lead.id}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "FIT-1" in fragment and "<html" not in fragment
    assert 'name="until"' in fragment  # the owner may reserve


def test_reserve_and_release_from_the_lead_page(client, login):
    officer = login(make_user("officer"))
    lead = make_lead(owner=officer, stage="negotiation")
    site = make_site()
    until = (local_today() + timedelta(days=7)).isoformat()
    response = client.post(f"/sites/{site.id}/reserve", data={"lead_id": lead.id, "until": until})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/leads/{lead.id}")
    again = client.post(f"/sites/{site.id}/reserve", data={"lead_id": lead.id, "until": until})
    assert again.status_code == 409 and "已为此线索预留" in again.get_data(as_text=True)
    fragment = client.get(f"/sites/matches/{lead.id}").get_data(as_text=True)
    assert "取消预留" in fragment
    response = client.post(f"/sites/{site.id}/release", data={"back": "lead"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Site, site.id).status == "available"


def test_reservations_are_refused_clearly(client, login):
    officer = login(make_user("officer"))
    theirs = make_lead(owner=make_user("officer"), stage="negotiation")
    mine = make_lead(owner=officer, stage="negotiation")
    site = make_site()
    until = (local_today() + timedelta(days=7)).isoformat()
    assert client.post(f"/sites/{site.id}/reserve", data={"lead_id": theirs.id, "until": until}).status_code == 403
    far = (local_today() + timedelta(days=999)).isoformat()
    assert client.post(f"/sites/{site.id}/reserve", data={"lead_id": mine.id, "until": far}).status_code == 422
    assert client.post(f"/sites/{site.id}/reserve", data={"lead_id": mine.id, "until": "soon"}).status_code == 400
    assert client.post(f"/sites/{site.id}/reserve", data={"lead_id": mine.id, "until": until},
                       csrf=False).status_code == 400
    assert db.session.get(Site, site.id).status == "available"


def test_import_is_all_or_nothing_with_a_row_report(client, login):
    login(make_user("manager"))
    good = xlsx_bytes([IMPORT_HEADERS,
                       ["TY-B1", "B1栋", "标准厂房", "天易科技城", 2400, None, 8.5, 3, 630, 18, None, "待租"],
                       ["BB-L9", "9号地块", "土地", "北部园区", None, 85, None, None, None, None, 2550, None]])
    response = client.post("/sites/import", data={"file": (io.BytesIO(good), "sites.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 303
    assert _count() == 2
    bad = xlsx_bytes([IMPORT_HEADERS,
                      ["TY-B2", "B2栋", "标准厂房", "天易科技城", 1000, None, None, None, None, None, None, None],
                      ["TY-B3", "", "城堡", "天易科技城", 1000, None, None, None, None, None, None, None],
                      ["TY-B4", "", "标准厂房", "天易科技城", "很大", None, None, None, None, None, None, None],
                      ["TY-B2", "", "标准厂房", "天易科技城", 1000, None, None, None, None, None, None, None],
                      ["BB-L10", "", "土地", "北部园区", None, None, None, None, None, None, None, None]])
    response = client.post("/sites/import", data={"file": (io.BytesIO(bad), "sites.xlsx")},
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    for row in ("<td>3</td>", "<td>4</td>", "<td>5</td>", "<td>6</td>"):
        assert row in page
    assert _count() == 2  # TY-B2 (valid) was not imported either


def test_import_refuses_files_that_are_not_spreadsheets(client, login):
    login(make_user("manager"))
    for data, name in ((b"", "s.xlsx"), (b"not a zip", "s.xlsx"), (b"x", "s.docx")):
        response = client.post("/sites/import", data={"file": (io.BytesIO(data), name)},
                               content_type="multipart/form-data")
        assert response.status_code == 400, name
        assert "import-refused" in response.get_data(as_text=True)
    assert _count() == 0


def test_a_50_mb_upload_gets_a_friendly_413(client, login):
    login(make_user("manager"))
    big = io.BytesIO(b"0" * (50 * 1024 * 1024))
    response = client.post("/sites/import", data={"file": (big, "huge.xlsx")}, content_type="multipart/form-data")
    assert response.status_code == 413
    assert "upload-too-large" in response.get_data(as_text=True)
    assert _count() == 0


def test_export_applies_the_filters_with_chinese_headers(client, login):
    login(make_user("officer"))
    make_site(code="TY-X1", rent_yuan_m2_month=Decimal("18"))
    make_site(code="BB-X2", kind="land_plot", park="北部园区")
    response = client.get("/sites/export.xlsx?kind=standard_factory")
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.data)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0].endswith("编号") and rows[0][2].endswith("类型")
    assert [r[0] for r in rows[1:]] == ["TY-X1"]
    assert rows[1][2] == "标准厂房" and rows[1][13] == "可用"
    template = client.get("/sites/import/template.xlsx")
    assert template.status_code == 200
