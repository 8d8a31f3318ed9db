"""The tax upload page: clear refusals that change nothing, idempotent imports, name confirmation."""

import io
import zipfile

import pytest
from sqlalchemy import func, select

from crm.extensions import db
from crm.projects.models import Project
from crm.tax.models import TaxImport, TaxRecord
from tests.factories import make_user
from tests.projects.kit import credit_code, csv_bytes, make_project, xlsx_bytes

HEADERS = ["统一社会信用代码", "企业名称", "所属期", "税额（万元）", "税种"]


def _upload(client, data: bytes, name: str):
    return client.post("/tax", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def _state() -> tuple[int, int]:
    return (db.session.scalar(select(func.count(TaxRecord.id))), db.session.scalar(select(func.count(TaxImport.id))))


def test_only_managers_import_tax(client, login):
    login(make_user("officer"))
    assert client.get("/tax").status_code == 403
    assert _upload(client, b"x", "x.csv").status_code == 403
    assert client.get("/tax/matches").status_code == 403


def test_upload_then_the_same_file_again(client, login):
    manager = login(make_user("manager"))
    make_project(by=manager, credit_code=credit_code(1))
    data = xlsx_bytes([HEADERS, [credit_code(1), "湖南意华", "2025年第一季度", 100, "增值税"],
                       [credit_code(1), "湖南意华", "2025年第二季度", 120, "增值税"]])
    response = _upload(client, data, "2025上半年.xlsx")
    assert response.status_code == 200 and "import-done" in response.get_data(as_text=True)
    assert _state() == (2, 1)
    response = _upload(client, data, "2025上半年.xlsx")
    assert response.status_code == 200 and "import-unchanged" in response.get_data(as_text=True)
    assert _state() == (2, 1)
    page = client.get("/tax").get_data(as_text=True)
    assert "2025上半年.xlsx" in page


def _bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<a>" + b" " * (300 * 1024 * 1024) + b"</a>")
    return buffer.getvalue()


@pytest.mark.parametrize("name,make,status,marker", [
    ("wrong-headers.xlsx", lambda: xlsx_bytes([["名称", "金额"], ["A", 1]]), 400, "表头缺少"),
    ("text-amount.xlsx", lambda: xlsx_bytes([HEADERS, [credit_code(1), "A", "2025Q1", "一百", "增值税"]]), 422,
     "不是数字"),
    ("dupes.csv", lambda: csv_bytes([HEADERS, [credit_code(1), "A", "2025Q1", "1", "增值税"],
                                     [credit_code(1), "A", "2025Q1", "1", "增值税"]]), 422, "与第 2 行重复"),
    ("empty.xlsx", lambda: b"", 400, "文件为空"),
    ("bomb.xlsx", _bomb, 400, "压缩炸弹"),
    ("picture.xlsx", lambda: b"\x89PNG\r\n\x1a\n" + b"\0" * 64, 400, "不是有效的 Excel"),
    ("report.pdf", lambda: b"%PDF-1.7", 400, ".xlsx"),
])
def test_bad_spreadsheets_are_refused_and_change_nothing(client, login, name, make, status, marker):
    login(make_user("manager"))
    response = _upload(client, make(), name)
    page = response.get_data(as_text=True)
    assert response.status_code == status, page[:2000]
    assert "import-refused" in page and marker in page
    assert _state() == (0, 0)


def test_a_50_mb_upload_is_refused_with_a_friendly_page(client, login):
    login(make_user("manager"))
    response = _upload(client, b"0" * (50 * 1024 * 1024), "huge.xlsx")
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "upload-too-large" in page and "20 MB" in page
    assert _state() == (0, 0)


def test_name_matches_are_confirmed_on_the_page(client, login):
    manager = login(make_user("manager"))
    project = make_project(by=manager, company_name="湖南智点科技有限公司")
    rejected = make_project(by=manager, company_name="瑞邦医疗器械有限公司")
    _upload(client, csv_bytes([HEADERS, [credit_code(3), "株洲智点科技有限公司", "2025Q1", "5", ""],
                               ["", "瑞邦医疗器械有限公司", "2025Q1", "2", ""]]), "names.csv")
    page = client.get("/tax/matches").get_data(as_text=True)
    assert page.count('class="name-match"') == 2
    taxpayer = db.session.scalar(select(TaxRecord.taxpayer_key).where(TaxRecord.credit_code == credit_code(3)))
    response = client.post("/tax/matches/confirm", data={"taxpayer": taxpayer, "project_id": project.id})
    assert response.status_code == 303
    other = db.session.scalar(select(TaxRecord.taxpayer_key).where(TaxRecord.credit_code.is_(None)))
    assert client.post("/tax/matches/reject", data={"taxpayer": other, "project_id": rejected.id}).status_code == 303
    assert client.post("/tax/matches/maybe", data={"taxpayer": other, "project_id": rejected.id}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Project, project.id).credit_code == credit_code(3)
    assert client.get("/tax/matches").get_data(as_text=True).count('class="name-match"') == 0
