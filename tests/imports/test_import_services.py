"""The lead import's services: header mapping, row checks, collisions, choices, and all-or-nothing commits."""

import json
from decimal import Decimal

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from crm.core.spreadsheets import SpreadsheetError
from crm.extensions import db
from crm.imports import services
from crm.imports.models import LeadImport, LeadImportRow
from crm.leads import services as lead_services
from crm.leads.models import Lead, LeadEvent
from crm.notifications.models import Notification
from tests.factories import make_industry, make_lead, make_user
from tests.imports.kit import (
    EN_HEADERS,
    ZH_HEADERS,
    commit,
    credit_code,
    csv_bytes,
    event_count,
    lead_count,
    map_rows,
    stage,
    xlsx_bytes,
    zh_row,
)


def _rows(lead_import) -> dict[int, LeadImportRow]:
    rows = db.session.scalars(select(LeadImportRow).where(LeadImportRow.import_id == lead_import.id)
                              .order_by(LeadImportRow.number))
    return {row.number: row for row in rows}


# Mapping ---------------------------------------------------------------------------------------------------

def test_chinese_headers_are_mapped_below_a_title_row(db):
    officer = make_user("officer")
    data = xlsx_bytes([["2026 长沙工程机械展 参展企业名单"], ZH_HEADERS, zh_row(1)])
    lead_import = stage(data, "展会名单.xlsx", by=officer)
    assert lead_import.header_row == 2
    assert lead_import.mapping == {"company_name": 1, "contact_name": 2, "mobile": 3, "email": 4, "kind": 5,
                                   "planned_investment_wan": 6, "message": 7}
    assert lead_import.total_rows == 1 and lead_import.status == "mapping"
    assert lead_count() == 0  # nothing is a lead before the commit


def test_english_headers_are_mapped(db):
    officer = make_user("officer")
    data = csv_bytes([EN_HEADERS, [1, "Acme Robotics Ltd", "Jane Li", "+49 151 2345 6789", "jane@acme.example",
                                   "Rent a standard factory", "1,200", "Booth 7"]])
    lead_import = stage(data, "expo.csv", by=officer)
    assert lead_import.mapping == {"company_name": 1, "contact_name": 2, "mobile": 3, "email": 4, "kind": 5,
                                   "planned_investment_wan": 6, "message": 7}
    assert map_rows(lead_import, by=officer)["new"] == 1
    commit(lead_import, by=officer)
    lead = db.session.scalars(select(Lead)).one()
    assert (lead.company_name, lead.mobile, lead.kind) == ("Acme Robotics Ltd", "+4915123456789", "factory_rental")
    assert lead.planned_investment_wan == Decimal("1200.00") and lead.source == "expo"
    assert lead.owner_id == officer.id  # an officer's import is theirs to work, as with create_lead


def test_a_column_with_an_unknown_header_is_mapped_by_hand(db):
    officer = make_user("officer")
    data = csv_bytes([["展商", "对接人", "电话号码"], ["株洲力拓精密有限公司", "赵六", "13907310001"]])
    lead_import = stage(data, "list.csv", by=officer)
    assert "company_name" not in lead_import.mapping
    with pytest.raises(services.ImportRefused):
        map_rows(lead_import, by=officer)  # company and contact person must be mapped
    db.session.rollback()
    counts = map_rows(lead_import, by=officer, mapping={"company_name": 0, "contact_name": 1, "mobile": 2})
    assert counts["new"] == 1


def test_a_column_cannot_fill_two_fields(db):
    officer = make_user("officer")
    lead_import = stage(csv_bytes([ZH_HEADERS, zh_row(1)]), "a.csv", by=officer)
    with pytest.raises(services.ImportRefused):
        map_rows(lead_import, by=officer, mapping={"company_name": 1, "contact_name": 1})


def test_only_managers_map_an_owner_column(db):
    officer, manager = make_user("officer"), make_user("manager")
    colleague = make_user("officer", name="王五", email="wangwu@test.zone")
    data = csv_bytes([["公司名称", "联系人", "负责人"], ["甲乙科技有限公司", "张三", "wangwu@test.zone"],
                      ["丙丁科技有限公司", "李四", "王五"], ["戊己科技有限公司", "周七", "不在册的人"]])
    as_officer = stage(data, "a.csv", by=officer)
    assert "owner" not in as_officer.mapping
    as_manager = stage(data, "a.csv", by=manager)
    assert as_manager.mapping["owner"] == 2
    counts = map_rows(as_manager, by=manager)
    assert counts == {"error": 1, "collision": 0, "duplicate": 0, "new": 2}
    rows = _rows(as_manager)
    assert rows[2].values["owner_id"] == rows[3].values["owner_id"] == colleague.id
    assert "不在册的人" in rows[4].errors[0][1]


# Row checks ------------------------------------------------------------------------------------------------

def test_each_bad_row_gets_the_lead_forms_messages_with_its_row_number(db):
    officer = make_user("officer")
    data = xlsx_bytes([ZH_HEADERS,
                       zh_row(1),
                       zh_row(2, 手机号="12345"),
                       zh_row(3, 联系人=None, 邮箱="not-an-email"),
                       zh_row(4, 需求="造火箭", **{"计划投资（万元）": "很多"}),
                       zh_row(5)])
    lead_import = stage(data, "bad.xlsx", by=officer)
    with force_locale("en"):  # messages are stored in the language of the person who checked the rows
        counts = map_rows(lead_import, by=officer, language="en")
    assert counts == {"error": 3, "collision": 0, "duplicate": 0, "new": 2}
    rows = _rows(lead_import)
    assert rows[3].errors == [["Mobile", "Enter a valid mobile number, e.g. 138 1234 5678 or +49 151 2345 6789."]]
    assert sorted(rows[4].errors) == [["Contact person", "Enter a contact person."],
                                      ["Email", "Enter a valid email address."]]
    assert ["Need", "Choose one of the listed options. (“造火箭”)"] in rows[5].errors
    assert ["Planned investment (10k yuan)", "Enter a number, for example 1200 or 35.5."] in rows[5].errors
    assert rows[2].state == rows[6].state == "new"
    commit(lead_import, by=officer)
    lead_import = db.session.get(LeadImport, lead_import.id)
    assert (lead_import.created, lead_import.errors) == (2, 3)
    assert lead_count() == 2


def test_labels_codes_and_synonyms_become_codes(db):
    officer = make_user("officer")
    make_industry("nev", "新能源汽车", "New-energy vehicles")
    data = csv_bytes([["公司", "联系人", "需求", "来源", "行业", "优先级", "下一步日期"],
                      ["甲科技有限公司", "张三", "Buy land", "展会", "New-energy vehicles", "高", "2026/3/5"],
                      ["乙科技有限公司", "李四", "office", "wechat", "nev", "Low", "2026年3月6日"]])
    lead_import = stage(data, "a.csv", by=officer)
    assert map_rows(lead_import, by=officer)["new"] == 2
    first, second = (row.values for row in _rows(lead_import).values())
    assert (first["kind"], first["source"], first["industry_code"], first["priority"]) == ("land", "expo", "nev", 1)
    assert first["next_action_due"] == "2026-03-05"
    assert (second["kind"], second["source"], second["priority"]) == ("office", "wechat", 3)


# Collisions ------------------------------------------------------------------------------------------------

def test_duplicates_within_the_file_point_to_the_first_row(db):
    officer = make_user("officer")
    data = csv_bytes([ZH_HEADERS,
                      zh_row(1),
                      zh_row(2, 手机号="139 0000 0001"),  # row 2's mobile, typed differently
                      zh_row(3, 参展单位="湖南博览001科技股份有限公司"),  # row 2's company, another legal form
                      zh_row(4)])
    lead_import = stage(data, "dups.csv", by=officer)
    assert map_rows(lead_import, by=officer) == {"error": 0, "collision": 0, "duplicate": 2, "new": 2}
    rows = _rows(lead_import)
    assert (rows[3].duplicate_of, rows[3].duplicate_reason, rows[3].choice) == (2, "mobile", "merge")
    assert (rows[4].duplicate_of, rows[4].duplicate_reason) == (2, "company")


def test_rows_matching_leads_on_record_are_collisions(db):
    officer = make_user("officer")
    known = make_lead(by=officer, company_name="湖南意华交通装备股份有限公司", mobile="13800000001",
                      credit_code=credit_code(7))
    data = csv_bytes([["公司名称", "联系人", "手机", "统一社会信用代码"],
                      ["意华交通装备有限公司", "甲", "13911111111", ""],
                      ["某某公司", "乙", "138 0000 0001", ""],
                      ["另一家有限公司", "丙", "", credit_code(7)]])
    lead_import = stage(data, "known.csv", by=officer)
    assert map_rows(lead_import, by=officer)["collision"] == 3
    rows = _rows(lead_import)
    assert [(r.match_lead_id, r.match_reason, r.choice) for r in rows.values()] == [
        (known.id, "company", "skip"), (known.id, "mobile", "skip"), (known.id, "credit_code", "skip")]


def _one_collision(officer, other_owner=None):
    known = make_lead(by=officer, owner=other_owner or officer, company_name="株洲星驰动力科技有限公司",
                      mobile="13807312345", email=None, intended_use="电机", planned_investment_wan=None)
    data = csv_bytes([["公司名称", "联系人", "手机", "邮箱", "计划投资", "用途"],
                      ["星驰动力科技有限公司", "王建国", "13807312345", "wang@xingchi.cn", "50000", "电控"],
                      ["全新科技有限公司", "赵六", "13907310009", "", "", ""]])
    lead_import = stage(data, "one.csv", by=officer)
    map_rows(lead_import, by=officer)
    return known, lead_import, _rows(lead_import)[2]


def test_skip_leaves_the_known_lead_alone(db):
    officer = make_user("officer")
    known, lead_import, row = _one_collision(officer)
    before = (known.version, event_count())
    commit(lead_import, by=officer)
    db.session.refresh(known)
    assert (known.version, known.email) == (before[0], None)
    assert lead_count() == 2  # the known lead and the new row
    assert db.session.get(LeadImportRow, row.id).outcome == "skipped"
    assert db.session.get(LeadImport, lead_import.id).skipped == 1


def test_merge_fills_what_the_known_lead_lacks_and_audits_it(db):
    officer = make_user("officer")
    known, lead_import, row = _one_collision(officer)
    services.set_choices(lead_import, {row.id: "merge"}, by=officer)
    commit(lead_import, by=officer)
    db.session.refresh(known)
    assert known.email == "wang@xingchi.cn" and known.planned_investment_wan == Decimal("50000")
    assert known.intended_use == "电机"  # a value it held is not overwritten
    audited = {e.field for e in db.session.scalars(select(LeadEvent).where(
        LeadEvent.lead_id == known.id, LeadEvent.kind == "field"))}
    assert audited == {"email", "planned_investment_wan"}
    row = db.session.get(LeadImportRow, row.id)
    assert (row.outcome, row.lead_id) == ("merged", known.id)
    assert lead_count() == 2


def test_create_anyway_links_the_collision_as_create_lead_does(db):
    officer, colleague = make_user("officer"), make_user("officer")
    known, lead_import, row = _one_collision(officer, other_owner=colleague)
    assert services.allowed_choices(row, by=officer) == ("skip", "create")  # not theirs: no merge
    with pytest.raises(services.ImportRefused):
        services.set_choices(lead_import, {row.id: "merge"}, by=officer)
    db.session.rollback()
    services.set_choices(lead_import, {row.id: "create"}, by=officer)
    commit(lead_import, by=officer)
    created = db.session.get(Lead, db.session.get(LeadImportRow, row.id).lead_id)
    assert (created.collides_with_id, created.collision_reason) == (known.id, "mobile")
    kinds = {(e.lead_id, e.kind) for e in db.session.scalars(select(LeadEvent))}
    assert {(created.id, "created"), (created.id, "assigned"), (created.id, "collision"),
            (known.id, "collision")} <= kinds
    told = {n.user_id for n in db.session.scalars(select(Notification).where(Notification.kind == "collision"))}
    assert told == {officer.id, colleague.id}


def test_an_imported_lead_is_recorded_exactly_as_create_lead_records_one(db):
    manager, officer = make_user("manager"), make_user("officer")
    values = {"company_name": "湖南示例（株洲）科技有限公司", "contact_name": "钱八", "mobile": "13907319999",
              "credit_code": credit_code(3).lower(), "kind": "land", "source": "expo"}
    data = csv_bytes([list(values), list(values.values())])
    lead_import = stage(data, "same.csv", by=manager)
    map_rows(lead_import, by=manager, defaults={"kind": "land", "source": "expo", "owner_id": str(officer.id)})
    commit(lead_import, by=manager)
    imported = db.session.scalars(select(Lead)).one()

    def history(lead):
        return sorted((e.kind, e.field, e.new_value, e.note, e.user_id)
                      for e in db.session.scalars(select(LeadEvent).where(LeadEvent.lead_id == lead.id)))

    assert history(imported) == [("assigned", "owner_id", str(officer.id), None, manager.id),
                                 ("created", "stage", "enquiry", "expo", manager.id)]
    by_form = lead_services.create_lead({**values, "credit_code": credit_code(3), "mobile": "+8613907319998",
                                         "owner_id": officer.id, "priority": 2}, by=manager)
    db.session.commit()
    for field in ("kind", "source", "stage", "company_key", "credit_code", "owner_id", "created_by_id", "priority"):
        assert getattr(imported, field) == getattr(by_form, field), field
    assert imported.mobile == "+8613907319999" and len(imported.status_token) == len(by_form.status_token)
    assert imported.version == 1 and imported.stage_entered_at == imported.created_at
    assert by_form.collides_with_id == imported.id  # and the form's lead finds the imported one


def test_duplicate_rows_merge_into_the_first_or_are_created_linked(db):
    officer = make_user("officer")
    data = csv_bytes([["公司名称", "联系人", "手机", "邮箱"],
                      ["同一家科技有限公司", "甲", "13900000001", ""],
                      ["同一家科技有限公司", "甲", "13900000001", "jia@same.cn"],
                      ["另一家科技有限公司", "乙", "13900000002", ""],
                      ["另一家科技股份有限公司", "丙", "13900000003", ""]])
    lead_import = stage(data, "dups.csv", by=officer)
    map_rows(lead_import, by=officer)
    rows = _rows(lead_import)
    services.set_choices(lead_import, {rows[5].id: "create"}, by=officer)
    commit(lead_import, by=officer)
    leads = {lead.company_name: lead for lead in db.session.scalars(select(Lead))}
    assert len(leads) == 3
    assert leads["同一家科技有限公司"].email == "jia@same.cn"  # row 3 filled what row 2 lacked
    later, earlier = leads["另一家科技股份有限公司"], leads["另一家科技有限公司"]
    assert (later.collides_with_id, later.collision_reason) == (earlier.id, "company")
    outcomes = [row.outcome for row in _rows(lead_import).values()]
    assert outcomes == ["created", "merged", "created", "created"]
    record = db.session.get(LeadImport, lead_import.id)
    assert (record.created, record.merged, record.skipped, record.errors) == (3, 1, 0, 0)


def test_a_duplicate_of_a_skipped_row_is_created_in_its_place(db):
    officer = make_user("officer")
    known = make_lead(by=officer, mobile="13900000001")
    data = csv_bytes([["公司名称", "联系人", "手机", "邮箱"],
                      ["全新甲科技有限公司", "甲", "13900000001", ""],  # known by mobile: skipped
                      ["全新乙科技有限公司", "甲", "", "jia@new.cn"]])
    lead_import = stage(data, "a.csv", by=officer)
    map_rows(lead_import, by=officer)
    assert [r.state for r in _rows(lead_import).values()] == ["collision", "new"]
    commit(lead_import, by=officer)
    assert lead_count() == 2 and known.id


def test_set_choice_for_all_merges_only_where_allowed(db):
    officer, colleague = make_user("officer"), make_user("officer")
    mine = make_lead(by=officer, owner=officer, mobile="13900000001")
    theirs = make_lead(by=colleague, owner=colleague, mobile="13900000002")
    data = csv_bytes([["公司名称", "联系人", "手机"], ["甲有限公司", "甲", "13900000001"],
                      ["乙有限公司", "乙", "13900000002"]])
    lead_import = stage(data, "a.csv", by=officer)
    map_rows(lead_import, by=officer)
    assert services.set_choice_for_all(lead_import, "collision", "merge", by=officer) == 1
    db.session.commit()
    choices = {r.match_lead_id: r.choice for r in _rows(lead_import).values()}
    assert choices == {mine.id: "merge", theirs.id: "skip"}


# All or nothing ----------------------------------------------------------------------------------------------

def test_a_failure_mid_commit_leaves_nothing_behind(db, monkeypatch):
    officer = make_user("officer")
    make_lead(by=officer, mobile="13900000007")
    data = csv_bytes([ZH_HEADERS] + [zh_row(n) for n in range(1, 30)])
    lead_import = stage(data, "all.csv", by=officer)
    map_rows(lead_import, by=officer)
    services.set_choice_for_all(lead_import, "collision", "create", by=officer)
    db.session.commit()
    before = (lead_count(), event_count())
    calls = []

    def broken(*args, **kwargs):  # the collision link comes after the bulk inserts of leads and events
        calls.append(1)
        raise RuntimeError("database went away")

    monkeypatch.setattr(lead_services, "link_to", broken)
    with pytest.raises(RuntimeError):
        services.commit_import(db.session.get(LeadImport, lead_import.id), by=officer)
    db.session.rollback()
    assert calls and (lead_count(), event_count()) == before
    record = db.session.get(LeadImport, lead_import.id)
    assert (record.status, record.created) == ("preview", 0)
    assert {r.outcome for r in _rows(record).values()} == {None}
    monkeypatch.undo()
    commit(record, by=officer)  # the same import goes through once the fault is gone
    assert lead_count() == before[0] + 29


def test_an_import_commits_once(db):
    officer = make_user("officer")
    lead_import = stage(csv_bytes([ZH_HEADERS, zh_row(1)]), "a.csv", by=officer)
    map_rows(lead_import, by=officer)
    commit(lead_import, by=officer)
    with pytest.raises(services.ImportRefused):
        services.commit_import(lead_import, by=officer)
    db.session.rollback()
    with pytest.raises(services.ImportRefused):
        map_rows(db.session.get(LeadImport, lead_import.id), by=officer)
    assert lead_count() == 1


def test_a_merge_target_that_was_reassigned_refuses_the_whole_commit(db):
    officer, manager, colleague = make_user("officer"), make_user("manager"), make_user("officer")
    known, lead_import, row = _one_collision(officer)
    services.set_choices(lead_import, {row.id: "merge"}, by=officer)
    db.session.commit()
    lead_services.assign_lead(known, colleague, by=manager)
    db.session.commit()
    with pytest.raises(services.ImportRefused):
        services.commit_import(db.session.get(LeadImport, lead_import.id), by=officer)
    db.session.rollback()
    assert lead_count() == 1
    assert db.session.get(LeadImport, lead_import.id).status == "preview"


# Refused files -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("data, name", [
    (b"", "empty.csv"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.xls"),
    (b"just text", "list.xlsx"),
    ("公司名称,联系人\n".encode(), "header-only.csv"),
    (b"a,b\n1,2\n", "list.txt"),
    (b"\xff\xfe\x00\x00garbage\x81\x82", "binary.csv"),
])
def test_bad_files_are_refused_and_nothing_is_staged(db, data, name):
    officer = make_user("officer")
    with pytest.raises(SpreadsheetError):
        services.stage_upload(data, name, by=officer)
    db.session.rollback()
    assert db.session.scalars(select(LeadImport)).first() is None


def test_too_many_rows_are_refused(db, app, monkeypatch):
    officer = make_user("officer")
    monkeypatch.setitem(app.config, "LEAD_IMPORT_MAX_ROWS", 3)
    with pytest.raises(SpreadsheetError):
        services.stage_upload(csv_bytes([ZH_HEADERS] + [zh_row(n) for n in range(1, 6)]), "big.csv", by=officer)


def test_a_gbk_csv_from_excel_is_read(db):
    officer = make_user("officer")
    data = csv_bytes([ZH_HEADERS, zh_row(1)], encoding="gb18030")
    lead_import = stage(data, "excel.csv", by=officer)
    assert json.loads(lead_import.header_json)[1] == "参展单位"
    assert map_rows(lead_import, by=officer)["new"] == 1


def test_discard_drops_the_staged_rows(db):
    officer = make_user("officer")
    lead_import = stage(csv_bytes([ZH_HEADERS, zh_row(1)]), "a.csv", by=officer)
    services.discard_import(lead_import, by=officer)
    db.session.commit()
    assert _rows(lead_import) == {} and lead_import.status == "discarded"
