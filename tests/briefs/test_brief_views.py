"""The PDF briefs through the test client: who may download what, what the pages say, how they look."""

from datetime import timedelta
from decimal import Decimal

import pytest

from crm.auth.models import User
from crm.briefs import queries
from crm.core.database import utcnow
from crm.core.formatting import local_today
from crm.extensions import db as _db
from crm.leads import services
from tests.briefs import pdfs
from tests.factories import make_industry, make_lead, make_user

pytestmark = pdfs.needs_poppler

LEAD_BRIEF = "/leads/{}/brief.pdf"
REPORT = "/reports/pipeline.pdf"


def a_key_lead(owner, **overrides):
    """A negotiation-stage key lead with figures, a sponsoring leader, activities and a next action."""
    make_industry()
    values = {
        "company_name": "湖南意华交通装备股份有限公司", "contact_name": "谭经理", "mobile": "13973311234",
        "email": "tan@yihua.example", "industry_code": "nev", "kind": "investment", "intended_use": "轨道交通装备零部件生产基地",
        "land_mu": Decimal("120"), "planned_investment_wan": Decimal("80000"), "expected_output_wan": Decimal("150000"),
        "expected_tax_wan": Decimal("6000"), "jobs": 600, "timing": "明年上半年", "sponsoring_leader": "刘副区长",
        "is_key": True, "next_action": "安排分管领导赴长沙拜访董事长", "next_action_due": local_today() + timedelta(days=3),
        "message": "希望了解天易科技城的用地指标和配套政策。",
    }
    values.update(overrides)
    lead = make_lead(by=owner, **values)
    for kind, outcome in (("call", "首次电话沟通，企业确认有扩产计划。"), ("visit", "陪同考察五云峰片区工业地块。"),
                          ("meeting", "与园区规划部门座谈，讨论用地红线。")):
        services.log_activity(lead, kind=kind, outcome=outcome, by=owner)
    for stage in ("contacted", "site_visit", "negotiation"):
        services.move_lead(lead, stage, by=owner)
    _db.session.commit()
    return lead


# ------------------------------------------------------------------------------------------------ access

@pytest.mark.parametrize("url", [LEAD_BRIEF.format(1), REPORT, "/projects/1/brief.pdf"])
def test_briefs_need_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_missing_lead_is_404(client, login):
    login(make_user("manager"))
    assert client.get(LEAD_BRIEF.format(999999)).status_code == 404


def test_officers_may_not_have_the_pipeline_report(client, login):
    """Managers and admins get it: test_pipeline_report_contents and test_pipeline_report_in_english."""
    login(make_user("officer"))
    assert client.get(REPORT).status_code == 403


@pytest.mark.parametrize("reader, full", [("owner", True), ("other officer", False), ("manager", True),
                                          ("admin", True)])
def test_only_the_owner_and_managers_see_the_full_mobile(db, reader, full):
    owner = make_user("officer")
    lead = make_lead(by=owner, mobile="13973311234")
    user = owner if reader == "owner" else make_user({"other officer": "officer"}.get(reader, reader))
    brief = queries.lead_brief_context(lead, reader=user, language="zh")["brief"]
    assert brief.mobile == ("+8613973311234" if full else "+86139****1234")
    assert brief.is_masked is not full


def test_masked_mobile_in_the_pdf(client, login):
    owner = make_user("officer")
    lead = make_lead(by=owner, mobile="13973311234", company_name="株洲信息港科技有限公司")
    login(make_user("officer"))
    response = client.get(LEAD_BRIEF.format(lead.id))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    content = pdfs.text(response.data)
    assert "株洲信息港科技有限公司" in content
    assert "+86139****1234" in content and "+8613973311234" not in content


# ------------------------------------------------------------------------------------------------ lead brief

def test_lead_brief_in_chinese_by_default(client, login, artifacts):
    owner = make_user("officer", name="李伟")
    lead = a_key_lead(owner)
    login(owner)
    response = client.get(LEAD_BRIEF.format(lead.id), headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    pdf = response.data
    pdfs.first_page_png(pdf, artifacts / "brief-lead-zh.png")
    (artifacts / "brief-lead-zh.pdf").write_bytes(pdf)
    content = pdfs.text(pdf)
    for expected in ("株洲高新区", "线索简报", "湖南意华交通装备股份有限公司", lead.reference, "谭经理",
                     "新能源汽车", "120 亩", "80,000 万元", "6,000 万元", "50 万元",  # tax per mu 6000/120
                     "刘副区长", "安排分管领导赴长沙拜访董事长", "与园区规划部门座谈", "下一步工作", "联系领导",
                     "洽谈"):
        assert expected in content, expected
    assert 1 <= pdfs.page_count(pdf) <= 2


def test_lead_brief_in_english_on_request(client, login, artifacts):
    owner = make_user("officer", name="Li Wei")
    lead = a_key_lead(owner, company_name="Nordhavn Drive Systems GmbH", contact_name="Anna Keller",
                      intended_use="E-axle assembly", timing="Q2 next year", sponsoring_leader="Deputy Director Liu",
                      next_action="Send the land-use plan", message="Please send the park brochure.")
    login(owner)
    pdf = client.get(LEAD_BRIEF.format(lead.id) + "?lang=en").data
    pdfs.first_page_png(pdf, artifacts / "brief-lead-en.png")
    content = pdfs.text(pdf)
    for expected in ("Zhuzhou National High-tech Zone", "Lead brief", "Nordhavn Drive Systems GmbH",
                     "Requirement and figures", "Timeline summary", "Next steps", "Sponsoring leader",
                     "Deputy Director Liu", "Negotiation", "CNY 800 M", "120 mu"):
        assert expected in content, expected
    assert "线索简报" not in content
    assert 1 <= pdfs.page_count(pdf) <= 2


def test_lead_brief_stays_within_two_pages_with_a_long_history(client, login):
    owner = make_user("officer")
    lead = a_key_lead(owner, message="很长的留言。" * 300)
    for n in range(40):
        services.log_activity(lead, kind="note", outcome=f"第{n}次跟进：" + "企业反馈了详细的需求和意见。" * 30, by=owner)
    _db.session.commit()
    login(owner)
    pdf = client.get(LEAD_BRIEF.format(lead.id)).data
    assert 1 <= pdfs.page_count(pdf) <= 2
    assert "第39次跟进" in pdfs.text(pdf)  # the most recent activities are the ones shown


def test_lead_brief_names_what_the_next_gate_needs(client, login):
    owner = make_user("officer")
    lead = make_lead(by=owner, stage="contacted")
    login(owner)
    content = pdfs.text(client.get(LEAD_BRIEF.format(lead.id) + "?lang=en").data)
    assert "at least one logged site visit" in content


def test_hostile_text_is_printed_not_fetched(client, login):
    """Company names are escaped: markup that tries to pull in remote or local files prints as text."""
    owner = make_user("officer")
    lead = make_lead(by=owner, company_name='<img src="http://169.254.169.254/x"><link rel=stylesheet href="file:///etc/passwd">')
    login(owner)
    response = client.get(LEAD_BRIEF.format(lead.id) + "?lang=en")
    assert response.status_code == 200
    assert "<img src=" in pdfs.text(response.data)


# ------------------------------------------------------------------------------------------------ fonts

def test_briefs_embed_one_cjk_font_for_every_script(client, login):
    owner = make_user("officer")
    lead = a_key_lead(owner)
    login(owner)
    pdf = client.get(LEAD_BRIEF.format(lead.id)).data
    rows = pdfs.fonts(pdf)
    assert rows and all(row.embedded and row.subset and row.unicode for row in rows), rows
    assert all("BriefSans" in row.name for row in rows), rows  # margin boxes and charts use it too
    assert pdfs.embedded_font_names(pdf) == {"WenQuanYi Micro Hei"}


# ------------------------------------------------------------------------------------------------ report

def a_busy_pipeline():
    """Three officers, key leads in several stages, overdue and stale leads, and a lost one."""
    officers = [make_user("officer", name=name) for name in ("李伟", "张敏", "陈静")]
    key = a_key_lead(officers[0])
    overdue = make_lead(by=officers[1], company_name="株洲火炬安泰新材料有限公司", stage="contacted",
                        next_action="补充可研报告", next_action_due=local_today() - timedelta(days=9))
    stale = make_lead(by=officers[2], company_name="长城海洋科技有限公司", stage="contacted")
    stale.created_at = utcnow() - timedelta(days=60)
    make_lead(by=officers[2], company_name="菲斯罗克光电有限公司", stage="lost", lost_reason="选择了其他园区")
    _db.session.commit()
    return officers, key, overdue, stale


def test_pipeline_report_contents(client, login, artifacts):
    officers, key, overdue, stale = a_busy_pipeline()
    for n in range(29):  # 30 overdue in all: more than the list shows, and the heading says so
        make_lead(by=officers[1], commit=False, next_action="回访", next_action_due=local_today() - timedelta(days=n + 1))
    _db.session.commit()
    login(make_user("manager", name="王局长"))
    pdf = client.get(REPORT).data
    pdfs.first_page_png(pdf, artifacts / "brief-pipeline-zh.png")
    (artifacts / "brief-pipeline-zh.pdf").write_bytes(pdf)
    pages = pdfs.pages_text(pdf)
    content = pdfs.text(pdf)
    assert "招商项目周调度报告" in pages[0] and "株洲高新区" in pages[0]  # the cover
    for expected in ("年度目标与进度", "招商漏斗", "各阶段重点线索", "逾期事项", "久未跟进线索",
                     "湖南意华交通装备股份有限公司", "株洲火炬安泰新材料有限公司", "长城海洋科技有限公司",
                     "补充可研报告", "李伟", "张敏", "陈静", "共 30 条，列出 25 条"):
        assert expected in content, expected
    # running header on every page but the cover, page numbers on all
    count = len(pages)
    assert 3 <= count <= 12
    for number, page in enumerate(pages, start=1):
        assert f"第 {number} 页，共 {count} 页" in page
        if number > 1:
            assert "招商项目周调度报告" in page and "内部资料" in page


def test_pipeline_report_in_english(client, login):
    a_busy_pipeline()
    login(make_user("admin"))
    content = pdfs.text(client.get(REPORT + "?lang=en").data)
    for expected in ("Weekly pipeline report", "Targets and pace", "Funnel", "Key leads by stage",
                     "Overdue actions", "Stale leads", "Page 1 of"):
        assert expected in content, expected


def test_report_tables_repeat_their_header_on_every_page(client, login):
    """Sixty officers fill more than a page: each page of the officers' table starts with its header."""
    _db.session.add_all(User(email=f"o{n}@test.zone", name=f"Officer {n:02d}", role="officer") for n in range(60))
    _db.session.commit()
    login(make_user("manager"))
    pages = pdfs.pages_text(client.get(REPORT + "?lang=en").data)
    with_officers = [page for page in pages if "Officer 0" in page or "Officer 5" in page]
    assert len(with_officers) >= 2
    assert all("Investment officer" in page and "Weighted value" in page for page in with_officers)
    # no row is split: every officer's name appears once, on one page, with a full row of figures
    for n in range(60):
        assert sum(page.count(f"Officer {n:02d}") for page in pages) == 1


# ------------------------------------------------------------------------------------------------ buttons

@pytest.mark.parametrize("role, shown", [("officer", False), ("manager", True), ("admin", True)])
def test_dashboard_offers_the_pipeline_report_to_managers(client, login, role, shown):
    login(make_user(role))
    page = client.get("/dashboard").get_data(as_text=True)
    assert (REPORT in page) is shown


def test_lead_page_offers_its_brief(client, login):
    owner = make_user("officer")
    lead = make_lead(by=owner)
    login(owner)
    assert LEAD_BRIEF.format(lead.id) in client.get(f"/leads/{lead.id}").get_data(as_text=True)


def test_lead_brief_lists_the_best_matching_sites(client, login):
    sites = pytest.importorskip("crm.sites.services")
    owner = make_user("officer")
    lead = make_lead(by=owner, kind="factory_rental", floor_area_m2=Decimal("2000"), company_name="株洲菲斯罗克光电有限公司")
    sites.create_site({"code": "TY-A01", "kind": "standard_factory", "park": "天易科技城", "name": "天易科技城3号厂房",
                       "area_m2": Decimal("2100")}, by=None)
    sites.create_site({"code": "WY-L09", "kind": "land_plot", "park": "五云峰片区", "land_mu": Decimal("40")}, by=None)
    _db.session.commit()
    login(owner)
    content = pdfs.text(client.get(LEAD_BRIEF.format(lead.id)).data)
    assert "推荐载体" in content and "TY-A01" in content and "天易科技城3号厂房" in content
    assert "WY-L09" not in content  # land does not suit a factory rental
