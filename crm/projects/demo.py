"""Demo sites, projects, milestones, capital in place, problems and tax for the demo zone (株洲高新区).

Called by crm.demo.seed as `seed(rng, users, leads)` after the leads are written (see its run_extensions for
what `users` and `leads` hold). Rows are written with Core executemany, so a 100,000-lead zone (about 8,000
signed leads, each becoming a project) takes seconds. The story obeys the services' rules:
- every signed lead has exactly one project, with the lead's figures and its signed milestone on the day
  the lead was signed; later milestones follow the default plan, reached or late as projects are;
- a zone history of earlier projects (including real ones named in ZONE.md: 湖南意华交通装备, 湖南智点,
  中南高科产业园, 株洲信息港, 瑞邦医疗, 响水田园综合体 ...) that started, completed and produce, with capital in
  place per quarter and a few years of quarterly tax, some above their promise and some below it;
- sites in the zone's parks: most available, some reserved for negotiating leads, some let or sold to
  projects; open problems on stalled projects, some overdue (escalated).
"""

import random
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select, text

from crm.core.database import utcnow
from crm.extensions import db
from crm.leads.identity import credit_code_with_check, normalise_company
from crm.projects.models import MILESTONES, CapitalRecord, Milestone, Problem, Project, ProjectEvent
from crm.projects.services import add_months, plan_for
from crm.sites.models import Site, SiteEvent
from crm.tax.models import TaxImport, TaxRecord

ROWS_PER_INSERT = 5000
CENT = Decimal("0.01")

# (name, company, industry, land mu, investment 万元, promised tax 万元, signed year, phase, key, four new,
#  500 strong, leader, talents). Real names from ZONE.md; the figures are invented.
HISTORY = (
    ("湖南意华交通装备产业园", "湖南意华交通装备股份有限公司", "rail", 150, 120000, 6000, 2021, "in_production",
     True, False, False, "彭区长", 12),
    ("湖南智点智能装备项目", "湖南智点科技有限公司", "nextgen_it", 45, 35000, 1800, 2022, "in_production",
     True, True, False, "刘副区长", 6),
    ("中南高科株洲高新智造产业园", "中南高科产业园发展（株洲）有限公司", "new_materials", 220, 150000, 5000, 2021,
     "in_production", True, False, True, "周常务副区长", 4),
    ("株洲信息港", "株洲信息港建设发展有限公司", "nextgen_it", 80, 80000, 3500, 2022, "completed", True, True,
     False, "易副书记", 15),
    ("瑞邦医疗器械产业化项目", "瑞邦医疗器械有限公司", "biomed", 60, 40000, 2500, 2023, "started", True, True,
     False, "谭副主任", 8),
    ("响水田园综合体", "株洲响水农业发展有限公司", "agriculture", 900, 30000, 300, 2024, "signed", True, True,
     False, "彭区长", 2),
    ("火炬安泰新材料项目", "火炬安泰新材料科技有限公司", "new_materials", 30, 18000, 900, 2022, "in_production",
     False, True, False, None, 5),
    ("长城海洋装备研发基地", "长城海洋装备有限公司", "green_equipment", 25, 15000, 700, 2022, "in_production",
     False, True, False, None, 3),
    ("菲斯罗克光纤传感项目", "菲斯罗克光电技术有限公司", "nextgen_it", 18, 12000, 650, 2023, "completed", False,
     True, False, "刘副区长", 7),
)
INVENTED = (
    ("动力谷", "航空动力", "aero"), ("天易", "新能源汽车", "nev"), ("麓谷", "电驱动", "nev"),
    ("湘江", "硬质合金", "new_materials"), ("华锐", "轨道装备", "rail"), ("楚天", "储能科技", "green_equipment"),
    ("凯盛", "动力电池", "nev"), ("博源", "半导体", "nextgen_it"), ("恒泰", "精密机械", "aero"),
    ("中科", "生物医药", "biomed"), ("宏达", "复合材料", "new_materials"), ("鼎新", "汽车电子", "nev"),
    ("启航", "通用航空", "aero"), ("云峰", "氢能科技", "green_equipment"), ("晶微", "微电子", "nextgen_it"),
    ("联诚", "电气牵引", "rail"), ("安泰", "光伏科技", "green_equipment"), ("德源", "医疗器械", "biomed"),
    ("明扬", "功能薄膜", "new_materials"), ("嘉禾", "生态农业", "agriculture"),
)
PARKS = {  # park → (standard factories, land plots, offices)
    "天易科技城": (10, 4, 3), "北部园区": (8, 6, 2), "五云峰片区": (6, 5, 1), "动力谷自主创新园": (8, 0, 4),
    "新马工业园": (6, 3, 0), "石三门现代农业公园": (0, 3, 0),
}
PARK_CODES = {"天易科技城": "TY", "北部园区": "BB", "五云峰片区": "WY", "动力谷自主创新园": "DLG", "新马工业园": "XM",
              "石三门现代农业公园": "SSM"}
ROADS = ("天易大道", "栗雨路", "黄河南路", "长江北路", "株洲大道", "泰山路", "珠江南路", "五云峰路", "新马路")
DEPARTMENTS = {
    "land": ("自然资源和规划分局", "土地储备中心"), "permits": ("行政审批服务局", "住建局"),
    "power": ("国网株洲供电公司", "经发局"), "water": ("自来水公司", "城建局"), "roads": ("城建局", "交通局"),
    "financing": ("金融办", "财政局"), "labour": ("人社局",), "demolition": ("征拆办", "街道办事处"),
}
PROBLEM_TITLES = {
    "land": ("用地指标尚未落实", "地块征收未完成，无法交地"), "permits": ("施工许可证办理滞后", "环评批复未下达"),
    "power": ("10kV 专线尚未接入", "临时用电容量不足"), "water": ("工业用水管网未接通",),
    "roads": ("进场道路未修通",), "financing": ("项目贷款审批缓慢", "股东增资未到位"),
    "labour": ("技术工人招聘困难",), "demolition": ("红线内两户未签征拆协议",),
}


def zone_today() -> date:
    return datetime.now(ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai"))).date()


def _money(value) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def _credit(rng: random.Random) -> str:
    return credit_code_with_check("91430211" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY")
                                                       for _ in range(9)))


def _insert(connection, table, rows: list[dict]) -> None:
    for start in range(0, len(rows), ROWS_PER_INSERT):
        connection.execute(table.insert(), rows[start:start + ROWS_PER_INSERT])


def _quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def _quarters(first: date, last: date):
    """(year, quarter) from the quarter of `first` to the one before `last`'s."""
    year, quarter = _quarter_of(first)
    end = _quarter_of(last)
    while (year, quarter) < end:
        yield year, quarter
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)


class Writer:
    """Collects rows with explicit ids, so children can point at parents before anything is written."""

    def __init__(self, connection, today: date, manager_id: int | None):
        self.connection = connection
        self.today = today
        self.manager_id = manager_id
        self.now = utcnow().replace(microsecond=0)
        self.next_project = (db.session.scalar(select(func.max(Project.id))) or 0) + 1
        self.projects: list[dict] = []
        self.milestones: list[dict] = []
        self.capital: list[dict] = []
        self.events: list[dict] = []
        self.problems: list[dict] = []
        self.tax: list[dict] = []

    def project(self, **values) -> dict:
        pid = self.next_project
        self.next_project += 1
        created = values.pop("created_at", self.now)
        row = {"id": pid, "code": f"XM-{created.year}-{pid:05d}", "company_key": normalise_company(
            values["company_name"]), "lead_id": None, "industry_code": None, "description": None,
            "floor_area_m2": None, "expected_output_wan": None, "jobs": None, "talents": 0, "is_key": False,
            "is_four_new": False, "is_500_strong": False, "sponsoring_leader": None, "owner_id": None,
            "credit_code": None, "created_at": created, "updated_at": created, "version": 1}
        row.update(values)
        self.projects.append(row)
        self.events.append({"project_id": pid, "user_id": values.get("owner_id"), "at": created, "kind": "created",
                            "field": "lead_id" if row["lead_id"] else "phase",
                            "old_value": None, "new_value": str(row["lead_id"] or "planned"), "note": None})
        return row

    def milestone(self, project: dict, kind: str, planned: date | None, actual: date | None) -> None:
        self.milestones.append({"project_id": project["id"], "kind": kind, "position": MILESTONES.index(kind),
                                "planned_on": planned, "actual_on": actual})

    def write(self) -> None:
        connection = self.connection
        if connection.dialect.name == "postgresql":
            connection.execute(text("LOCK TABLE project IN SHARE ROW EXCLUSIVE MODE"))
        _insert(connection, Project.__table__, self.projects)
        _insert(connection, Milestone.__table__, self.milestones)
        _insert(connection, CapitalRecord.__table__, self.capital)
        _insert(connection, ProjectEvent.__table__, self.events)
        _insert(connection, Problem.__table__, self.problems)
        if self.tax:
            log_id = connection.execute(TaxImport.__table__.insert().values(
                filename="demo-tax-office-export.xlsx", file_sha256="0" * 64, rows=len(self.tax),
                inserted=len(self.tax), updated=0, unchanged=0,
                matched=sum(1 for t in self.tax if t["project_id"]), user_id=self.manager_id, at=self.now)
            ).inserted_primary_key[0]
            for row in self.tax:
                row["import_id"] = log_id
            _insert(connection, TaxRecord.__table__, self.tax)
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT setval(pg_get_serial_sequence('project', 'id'), "
                                    "(SELECT COALESCE(MAX(id), 1) FROM project))"))


def seed(rng: random.Random, users: dict, leads: list[dict]) -> list[str]:
    """Add the demo zone's sites, projects and tax. Returns summary lines; the caller commits."""
    today = zone_today()
    manager = users.get("manager")
    officers = [u.id for u in users.get("officers", [])] or [None]
    writer = Writer(db.session.connection(), today, manager.id if manager else None)
    seeded_before = db.session.scalar(select(Project.id).where(Project.name == HISTORY[0][0]).limit(1))
    history = [] if seeded_before else seed_history(rng, writer, officers)
    from_leads = seed_lead_projects(rng, writer, [lead for lead in leads if lead["stage"] == "signed"])
    seed_problems(rng, writer)
    writer.write()
    sites = seed_sites(rng, writer, leads, from_leads)
    phases = {}
    for row in writer.projects:
        phases[row["phase"]] = phases.get(row["phase"], 0) + 1
    return [
        f"Projects: {len(writer.projects):,} ({len(history)} from the zone's history, {len(from_leads):,} from "
        f"signed leads): " + ", ".join(f"{phase} {count:,}" for phase, count in sorted(phases.items())) + ".",
        f"Sites: {sites:,}; milestones {len(writer.milestones):,}, capital records {len(writer.capital):,}, "
        f"problems {len(writer.problems):,}, tax records {len(writer.tax):,}.",
    ]


def seed_history(rng: random.Random, writer: Writer, officers: list) -> list[dict]:
    """Projects signed in earlier years, now at every phase, with capital and tax paid."""
    rows = []
    specs = list(HISTORY)
    for brand, trade, industry in INVENTED:
        mu = rng.choice((20, 30, 40, 50, 60, 80, 100))
        year = rng.choice((2019, 2020, 2021, 2022, 2023, 2024, 2025, 2025))
        phase = rng.choice({2025: ("started", "started", "completed", "signed"),
                            2024: ("in_production", "in_production", "completed", "started")}.get(year, (
            "in_production", "in_production", "in_production", "completed", "started", "signed")))
        specs.append((f"{brand}{trade}产业化项目", f"湖南{brand}{trade}有限公司", industry, mu,
                      mu * rng.choice((400, 500, 600, 800)), mu * rng.choice((20, 30, 40, 50)),
                      year, phase, rng.random() < 0.3, rng.random() < 0.3, rng.random() < 0.08, None,
                      rng.randint(0, 4)))
    specs.append(("智造谷二期（谋划）", "株洲高新产业投资集团有限公司", "nev", 300, 200000, 8000, None, "planned", True,
                  False, False, "周常务副区长", 0))
    specs.append(("低空经济产业园（谋划）", "株洲低空经济发展有限公司", "aero", 180, 100000, 3000, None, "planned",
                  True, True, False, "彭区长", 0))
    for (name, company, industry, mu, investment, tax, year, phase, key, four_new, strong, leader,
         talents) in specs:
        signed_on = date(year, rng.randint(1, 12), rng.randint(1, 28)) if year else None
        if signed_on and signed_on > writer.today:
            signed_on = writer.today - timedelta(days=30)
        created = datetime.combine(signed_on or writer.today - timedelta(days=rng.randint(20, 200)),
                                   datetime.min.time()) + timedelta(hours=9)
        credit = _credit(rng) if name != "瑞邦医疗器械产业化项目" else None  # its tax waits on a name match
        project = writer.project(
            name=name, company_name=company, credit_code=credit, industry_code=industry, phase=phase,
            investment_wan=_money(investment), land_mu=_money(mu), promised_tax_wan=_money(tax),
            expected_output_wan=_money(tax * rng.choice((12, 15, 20))), jobs=int(mu * rng.choice((3, 4, 6))),
            talents=talents, is_key=key, is_four_new=four_new, is_500_strong=strong, sponsoring_leader=leader,
            owner_id=rng.choice(officers), description=f"{company}投资建设", created_at=created)
        _history_milestones(rng, writer, project, signed_on)
        rows.append(project)
        if credit is None and signed_on:
            _waiting_name_match(rng, writer, project)
    return rows


def _waiting_name_match(rng: random.Random, writer: Writer, project: dict) -> None:
    """Tax the office reports under a longer name and a credit code the project does not know yet: it waits
    on the confirmation list until an officer confirms the match."""
    name = "株洲" + project["company_name"]
    credit = _credit(rng)
    for year, quarter in list(_quarters(writer.today - timedelta(days=400), writer.today))[-4:]:
        writer.tax.append({
            "taxpayer_key": credit, "credit_code": credit, "company_name": name,
            "company_key": normalise_company(name), "project_id": None, "period": f"{year}Q{quarter}",
            "year": year, "quarter": quarter, "month": None, "kind": "vat",
            "amount_wan": _money(rng.uniform(20, 60)), "import_id": None, "created_at": writer.now,
            "updated_at": writer.now})


def _history_milestones(rng: random.Random, writer: Writer, project: dict, signed_on: date | None) -> None:
    """Plan from the signing date; reach milestones up to the project's phase, some of them late."""
    reach = {"planned": 0, "signed": 2, "started": 3, "completed": 4, "in_production": 5}[project["phase"]]
    if signed_on is None:
        for kind in MILESTONES:
            writer.milestone(project, kind, None, None)
        return
    plan = plan_for("land")
    actual = None
    for position, kind in enumerate(MILESTONES):
        planned = add_months(signed_on, plan[kind])
        if position < reach:
            delay = 0 if kind == "signed" else rng.choice((0, 0, 10, 30, 60, 120))
            actual = max(actual or planned, planned + timedelta(days=delay))
            actual = min(actual, writer.today - timedelta(days=(reach - position) * 20))
            writer.milestone(project, kind, planned, actual)
        else:
            writer.milestone(project, kind, planned, None)
    production = next((m["actual_on"] for m in writer.milestones[-5:] if m["kind"] == "production"), None)
    _capital(rng, writer, project, signed_on, share=Decimal(str(rng.choice((0.6, 0.8, 0.9, 1.0)))))
    if production:
        _tax(rng, writer, project, production)


def _capital(rng: random.Random, writer: Writer, project: dict, since: date, share: Decimal) -> None:
    """Capital in place per quarter since signing, adding up to `share` of the committed investment."""
    quarters = list(_quarters(since, writer.today)) or [_quarter_of(since)]
    quarters = quarters[:12]
    total = project["investment_wan"] * share
    weights = [rng.uniform(0.5, 1.5) for _ in quarters]
    scale = sum(weights)
    for (year, quarter), weight in zip(quarters, weights, strict=True):
        amount = _money(total * Decimal(str(weight / scale)))
        if amount > 0:
            writer.capital.append({"project_id": project["id"], "year": year, "quarter": quarter,
                                   "amount_wan": amount, "note": None, "user_id": project["owner_id"],
                                   "at": writer.now})


def _tax(rng: random.Random, writer: Writer, project: dict, production: date) -> None:
    """Quarterly VAT and corporate income tax from production on: ramping up, then near (or below) promise."""
    # Key projects mostly keep their promise; a few others fall short (the register flags them).
    performance = rng.choice((0.9, 1.0, 1.1, 1.3) if project["is_key"] else (0.55, 0.7, 0.9, 1.0, 1.1, 1.3))
    quarterly = float(project["promised_tax_wan"]) / 4
    credit = project["credit_code"]
    company_key = project["company_key"]
    key = credit or f"name:{company_key}"
    name = project["company_name"] if credit else project["company_name"].replace("有限公司", "科技有限公司")
    for index, (year, quarter) in enumerate(_quarters(production, writer.today)):
        ramp = min(1.0, 0.35 + 0.2 * index)
        amount = quarterly * performance * ramp * rng.uniform(0.85, 1.15)
        for kind, share in (("vat", 0.6), ("corporate_income", 0.4)):
            writer.tax.append({
                "taxpayer_key": key, "credit_code": credit, "company_name": name,
                "company_key": normalise_company(name), "project_id": project["id"] if credit else None,
                "period": f"{year}Q{quarter}", "year": year, "quarter": quarter, "month": None, "kind": kind,
                "amount_wan": Decimal(str(round(amount * share, 4))), "import_id": None,
                "created_at": writer.now, "updated_at": writer.now})


def seed_lead_projects(rng: random.Random, writer: Writer, signed: list[dict]) -> list[dict]:
    """One project per signed lead, as create_project_from_lead makes it, and what happened since."""
    rows = []
    for lead in signed:
        signed_at = lead["stage_entered_at"]
        signed_on = (signed_at.replace(tzinfo=UTC).astimezone(ZoneInfo("Asia/Shanghai")).date()
                     if signed_at else writer.today)
        project = writer.project(
            name=lead["company_name"][:200], company_name=lead["company_name"], credit_code=lead["credit_code"],
            lead_id=lead["id"], industry_code=lead["industry_code"], phase="signed",
            investment_wan=lead["planned_investment_wan"], land_mu=lead["land_mu"],
            floor_area_m2=lead["floor_area_m2"], promised_tax_wan=lead["expected_tax_wan"],
            expected_output_wan=lead["expected_output_wan"], jobs=lead["jobs"], is_key=bool(lead["is_key"]),
            is_four_new=rng.random() < 0.25, is_500_strong=rng.random() < 0.04,
            sponsoring_leader=lead["sponsoring_leader"], owner_id=lead["owner_id"],
            talents=rng.choice((0, 0, 0, 1, 2)) if lead["is_key"] else 0, created_at=signed_at or writer.now)
        plan = plan_for(lead["kind"])
        phase = "signed"
        previous = signed_on
        for kind in MILESTONES:
            if kind not in plan:
                continue
            planned = add_months(signed_on, plan[kind])
            actual = None
            if kind == "signed":
                actual = signed_on
            elif previous and planned <= writer.today and rng.random() < 0.8:
                candidate = planned + timedelta(days=rng.choice((-10, 0, 0, 15, 45)))
                if previous <= candidate <= writer.today:
                    actual = candidate
            previous = actual
            if actual and kind != "signed":
                phase = {"land_handover": "signed", "construction_start": "started", "completion": "completed",
                         "production": "in_production"}[kind]
            writer.milestone(project, kind, planned, actual)
        project["phase"] = phase
        if project["investment_wan"] and phase != "signed":
            _capital(rng, writer, project, signed_on, share=Decimal(str(rng.choice((0.2, 0.3, 0.5)))))
        rows.append(project)
    return rows


def seed_problems(rng: random.Random, writer: Writer) -> None:
    """Problems on projects under way; about a third are past their due date (escalated)."""
    candidates = [p for p in writer.projects if p["phase"] in ("signed", "started", "completed")]
    for project in rng.sample(candidates, min(len(candidates), 30)):
        category = rng.choice(tuple(PROBLEM_TITLES))
        due = writer.today + timedelta(days=rng.choice((-40, -15, -3, 7, 20, 45, 60)))
        status = rng.choice(("open", "open", "in_progress", "resolved"))
        raised = datetime.combine(due - timedelta(days=rng.randint(20, 60)), datetime.min.time())
        writer.problems.append({
            "project_id": project["id"], "title": rng.choice(PROBLEM_TITLES[category]), "category": category,
            "department": rng.choice(DEPARTMENTS[category]), "responsible": None, "due_on": due, "status": status,
            "follow_up": None, "raised_by_id": project["owner_id"], "raised_at": raised,
            "resolved_at": writer.now if status == "resolved" else None})


def seed_sites(rng: random.Random, writer: Writer, leads: list[dict], projects: list[dict]) -> int:
    """The parks' factories, plots and offices: available, reserved for negotiating leads, let or sold."""
    from crm.sites.matching import WANTED_KINDS

    negotiating: dict[str, list[dict]] = {"standard_factory": [], "land_plot": [], "office": []}
    for lead in leads:
        if lead["stage"] == "negotiation" and lead["owner_id"]:
            negotiating[WANTED_KINDS.get(lead["kind"], ("office",))[0]].append(lead)
    for waiting in negotiating.values():
        rng.shuffle(waiting)
    takers = {"land_plot": [p for p in projects if p["land_mu"]],
              "standard_factory": [p for p in projects if p["floor_area_m2"]],
              "office": [p for p in projects if p["floor_area_m2"]]}
    sites, events = [], []
    existing = set(db.session.scalars(select(Site.code)))
    for park, counts in PARKS.items():
        prefix = PARK_CODES[park]
        for kind, count in zip(("standard_factory", "land_plot", "office"), counts, strict=True):
            for n in range(1, count + 1):
                site = _site(rng, park, prefix, kind, n)
                if site["code"] in existing:
                    continue
                roll = rng.random()
                if roll < 0.15 and negotiating[kind]:
                    lead = negotiating[kind].pop()
                    site.update(status="reserved", reserved_for_id=lead["id"], reserved_by_id=lead["owner_id"],
                                reserved_until=writer.today + timedelta(days=rng.choice((-3, 7, 14, 30))),
                                reserved_at=writer.now)
                elif roll < 0.35 and takers[kind]:
                    project = takers[kind].pop(rng.randrange(len(takers[kind])))
                    site.update(status="sold" if kind == "land_plot" else "let", project_id=project["id"])
                sites.append(site)
    db.session.add_all(Site(**values) for values in sites)
    db.session.flush()
    for site in db.session.scalars(select(Site).where(Site.code.in_([s["code"] for s in sites]))):
        events.append({"site_id": site.id, "user_id": None, "lead_id": None, "at": writer.now, "kind": "created",
                       "field": "status", "old_value": None, "new_value": "available", "note": "demo"})
        if site.status != "available":
            events.append({"site_id": site.id, "user_id": site.reserved_by_id, "lead_id": site.reserved_for_id,
                           "at": writer.now, "kind": "status", "field": "status", "old_value": "available",
                           "new_value": site.status, "note": None})
    _insert(db.session.connection(), SiteEvent.__table__, events)
    return len(sites)


def _site(rng: random.Random, park: str, prefix: str, kind: str, n: int) -> dict:
    code_kind = {"standard_factory": "F", "land_plot": "L", "office": "O"}[kind]
    values = {"code": f"{prefix}-{code_kind}{n:02d}", "kind": kind, "park": park, "status": "available",
              "address": f"{rng.choice(ROADS)}{rng.randint(1, 999)}号", "created_at": utcnow(),
              "updated_at": utcnow(), "version": 1}
    if kind == "land_plot":
        mu = rng.choice((15, 25, 40, 60, 80, 120, 200))
        values.update(name=f"{park}{n}号工业用地", land_mu=_money(mu),
                      price_wan=_money(mu * rng.choice((18, 22, 25, 30))))
    elif kind == "standard_factory":
        floors = rng.choice((1, 1, 2, 3, 4))
        values.update(name=f"{park}标准厂房{n}栋", area_m2=_money(rng.choice((1200, 2000, 2400, 3600, 5000, 8000))),
                      floors=floors, ceiling_height_m=_money(rng.choice((6, 7.5, 8, 9, 10, 12)) if floors == 1
                                                             else rng.choice((4.5, 5, 6))),
                      floor_load_t_m2=_money(rng.choice((0.8, 1, 1.5, 2, 3, 5))),
                      power_kva=rng.choice((250, 400, 630, 800, 1250, 2000)),
                      rent_yuan_m2_month=_money(rng.choice((12, 15, 16, 18, 20, 22))))
    else:
        values.update(name=f"{park}创新大厦{n}层", area_m2=_money(rng.choice((300, 500, 800, 1200, 2000))),
                      floors=1, rent_yuan_m2_month=_money(rng.choice((25, 30, 35, 40, 45))))
    return values
