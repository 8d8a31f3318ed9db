"""GET /api/v1/imports: the record of lead imports, a manager's token sees all, an officer's its own."""

import pytest
from factories import make_user

from crm.core.database import utcnow
from crm.extensions import db as _db
from crm.imports.models import LeadImport


def _import(user, filename, status="done", **counts):
    record = LeadImport(user_id=user.id, filename=filename, status=status, total_rows=sum(counts.values()), **counts)
    _db.session.add(record)
    _db.session.commit()
    return record


def test_imports_are_listed_with_their_counts(client, db, token_for):
    boss, li, zhang = make_user("manager"), make_user("officer", name="李专员"), make_user("officer")
    done = _import(li, "2026投洽会名单.xlsx", created=120, merged=3, skipped=2, errors=5)
    done.committed_at = utcnow()
    _db.session.commit()
    _import(zhang, "张的名单.csv", status="preview")
    _import(li, "丢弃的.xlsx", status="discarded")

    response = client.get("/api/v1/imports", headers=token_for(boss))
    body = response.get_json()
    assert response.status_code == 200, body
    assert set(body) == {"items", "total", "page", "per_page"} and body["total"] == 2
    item = next(i for i in body["items"] if i["id"] == done.id)
    assert (item["filename"], item["status"], item["user"], item["total_rows"]) == ("2026投洽会名单.xlsx", "done",
                                                                                    "李专员", 130)
    assert (item["created"], item["merged"], item["skipped"], item["errors"]) == (120, 3, 2, 5)
    assert item["committed_at"].endswith("Z")
    mine = client.get("/api/v1/imports", headers=token_for(li)).get_json()
    assert [i["id"] for i in mine["items"]] == [done.id]


def test_one_import_follows_the_same_rule(client, db, token_for):
    li, zhang, boss = make_user("officer"), make_user("officer"), make_user("manager")
    record = _import(li, "名单.xlsx")
    assert client.get(f"/api/v1/imports/{record.id}", headers=token_for(li)).get_json()["id"] == record.id
    assert client.get(f"/api/v1/imports/{record.id}", headers=token_for(boss)).status_code == 200
    refused = client.get(f"/api/v1/imports/{record.id}", headers=token_for(zhang))
    assert refused.status_code == 403 and refused.get_json()["error"]


@pytest.mark.parametrize("import_id", ["9999", "2147483648"])
def test_an_unknown_import_is_404_json(client, db, auth, import_id):
    response = client.get(f"/api/v1/imports/{import_id}", headers=auth)
    assert response.status_code == 404 and response.get_json()["error"]


def test_imports_are_paginated(client, db, auth, api_user):
    for n in range(3):
        _import(api_user, f"f{n}.xlsx")
    body = client.get("/api/v1/imports?per_page=2&page=2", headers=auth).get_json()
    assert (body["total"], len(body["items"]), body["page"]) == (3, 1, 2)
