"""Every role against every route: a table that must name each route the app serves.

Roles: anonymous, an officer who owns the sample lead and project, another officer, a manager, an admin.
Each route gets one expectation per role:

    ALLOW     let through: no 401/403, no redirect to the login page (GETs also below 400)
    LOGIN     sent to the login page (pages) - the request changes nothing
    SIGNED_OUT  sent to the login page, signed out (signing out rotates the user's session nonce)
    DENY      403 - and the request changes nothing
    API401    401 JSON (API without a token) - and the request changes nothing
    Refused(codes)  refused by the service in another way (a 409 page, a redirect with a message) -
              and the request changes nothing

A route the app serves but the table does not name fails `test_every_route_is_in_the_matrix`:
add it to MATRIX (and a sample value for any new URL argument) so nothing slips through unreviewed.
"""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask import url_for
from sqlalchemy import select

from crm.auth import services as accounts
from crm.auth.models import ApiToken
from crm.core.formatting import local_today
from crm.extensions import db
from tests.factories import make_lead, make_user
from tests.security.helpers import device, fingerprint, sign_in

ROLES = ("anonymous", "officer", "other_officer", "manager", "admin")
ALLOW, LOGIN, DENY, API401, SIGNED_OUT = "ALLOW", "LOGIN", "DENY", "API401", "SIGNED_OUT"


@dataclass(frozen=True)
class Refused:
    """Refused with one of these statuses, changing nothing."""

    codes: tuple[int, ...]


def rule(anonymous, officer, other_officer, manager, admin) -> dict:
    return dict(zip(ROLES, (anonymous, officer, other_officer, manager, admin), strict=True))


PUBLIC = rule(ALLOW, ALLOW, ALLOW, ALLOW, ALLOW)
STAFF = rule(LOGIN, ALLOW, ALLOW, ALLOW, ALLOW)
OWNER = rule(LOGIN, ALLOW, DENY, ALLOW, ALLOW)  # the sample lead/project belongs to "officer"
MANAGERS = rule(LOGIN, DENY, DENY, ALLOW, ALLOW)
ADMINS = rule(LOGIN, DENY, DENY, DENY, ALLOW)
API_ANY = rule(API401, ALLOW, ALLOW, ALLOW, ALLOW)
API_OWNER = rule(API401, ALLOW, DENY, ALLOW, ALLOW)
CLAIM = rule(LOGIN, ALLOW, Refused((409,)), Refused((409,)), Refused((409,)))  # the lead has an owner
RELEASE = rule(LOGIN, ALLOW, Refused((302, 303)), ALLOW, ALLOW)  # refused with a message, not a 403

# (endpoint, method) -> expectation per role. Keep it sorted by URL, like `flask routes`.
MATRIX = {
    ("public.home", "GET"): PUBLIC,
    ("static", "GET"): PUBLIC,
    ("public.enquiry", "GET"): PUBLIC,
    ("public.enquiry", "POST"): PUBLIC,
    ("public.thanks", "GET"): PUBLIC,
    ("public.status", "GET"): PUBLIC,
    ("public.healthz", "GET"): PUBLIC,
    ("auth.login", "GET"): PUBLIC,
    ("auth.login", "POST"): PUBLIC,
    ("auth.set_language", "GET"): PUBLIC,
    ("auth.logout", "POST"): rule(LOGIN, SIGNED_OUT, SIGNED_OUT, SIGNED_OUT, SIGNED_OUT),

    ("admin.users", "GET"): ADMINS,
    ("admin.create_user", "POST"): ADMINS,
    ("admin.change_role", "POST"): ADMINS,
    ("admin.set_active", "POST"): ADMINS,
    ("privacy.index", "GET"): ADMINS,
    ("privacy.export", "POST"): ADMINS,
    ("privacy.erase", "POST"): ADMINS,

    ("api.openapi", "GET"): PUBLIC,  # the API's reference, like any public API documentation
    ("api_docs.index", "GET"): PUBLIC,  # the same reference, rendered for people
    ("api.create_enquiry", "POST"): API_ANY,
    ("api.list_leads", "GET"): API_ANY,
    ("api.get_lead", "GET"): API_ANY,
    ("api.patch_lead", "PATCH"): API_OWNER,
    ("api.list_activities", "GET"): API_ANY,
    ("api.add_activity", "POST"): API_OWNER,
    ("api.change_stage", "POST"): API_OWNER,
    ("api.list_projects", "GET"): API_ANY,
    ("api.get_project", "GET"): API_ANY,
    ("api.list_sites", "GET"): API_ANY,
    ("api.get_site", "GET"): API_ANY,
    ("api.list_imports", "GET"): API_ANY,
    ("api.get_import", "GET"): API_OWNER,  # the officer's own import; managers see all

    ("leads.index", "GET"): STAFF,
    ("leads.my_day", "GET"): STAFF,
    ("leads.new", "GET"): STAFF,
    ("leads.new", "POST"): STAFF,
    ("leads.detail", "GET"): STAFF,
    ("leads.edit", "GET"): OWNER,
    ("leads.edit", "POST"): OWNER,
    ("leads.change_stage", "POST"): OWNER,
    ("leads.add_activity", "POST"): OWNER,
    ("leads.claim", "POST"): CLAIM,
    ("leads.assign", "POST"): MANAGERS,
    ("leads.export_xlsx", "GET"): STAFF,
    ("leads.export_csv", "GET"): STAFF,
    ("leads.merge", "GET"): OWNER,  # merging into the officer's lead: its owner or a manager
    ("leads.merge", "POST"): OWNER,
    ("imports.index", "GET"): STAFF,
    ("imports.new", "GET"): STAFF,
    ("imports.new", "POST"): STAFF,
    ("imports.detail", "GET"): OWNER,  # the officer's own import; managers see all
    ("imports.discard", "POST"): OWNER,
    ("imports.mapping", "GET"): OWNER,
    ("imports.mapping", "POST"): OWNER,
    ("imports.preview", "GET"): OWNER,
    ("imports.preview", "POST"): OWNER,
    ("privacy.confidential", "POST"): OWNER,  # the owner or a manager marks a lead confidential
    ("briefs.lead_brief", "GET"): STAFF,

    ("notifications.index", "GET"): STAFF,
    ("notifications.mark_all_read", "POST"): STAFF,

    ("profile.index", "GET"): STAFF,
    ("profile.update", "POST"): STAFF,
    ("profile.change_password", "POST"): STAFF,
    ("profile.create_token", "POST"): STAFF,
    ("profile.revoke_token", "POST"): STAFF,  # one's own tokens only: another user's token id is a 404

    ("board.index", "GET"): STAFF,
    ("board.more", "GET"): STAFF,
    ("board.card", "GET"): STAFF,
    ("board.move", "POST"): OWNER,

    ("dashboard.index", "GET"): STAFF,
    ("dashboard.csv", "GET"): STAFF,
    ("dashboard.targets", "GET"): STAFF,
    ("dashboard.save_targets", "POST"): MANAGERS,
    ("briefs.pipeline_report", "GET"): MANAGERS,
    ("jobs.index", "GET"): MANAGERS,
    ("jobs.generate", "POST"): MANAGERS,
    ("jobs.download", "GET"): MANAGERS,

    ("projects.index", "GET"): STAFF,
    ("projects.new", "GET"): MANAGERS,
    ("projects.new", "POST"): MANAGERS,
    ("projects.export", "GET"): STAFF,
    ("projects.stalled", "GET"): STAFF,
    ("projects.detail", "GET"): STAFF,
    ("briefs.project_brief", "GET"): STAFF,
    ("projects.edit", "GET"): OWNER,
    ("projects.edit", "POST"): OWNER,
    ("projects.milestone", "POST"): OWNER,
    ("projects.capital", "POST"): OWNER,
    ("projects.add_problem", "POST"): OWNER,
    ("projects.update_problem", "POST"): OWNER,

    ("sites.index", "GET"): STAFF,
    ("sites.new", "GET"): MANAGERS,
    ("sites.new", "POST"): MANAGERS,
    ("sites.export", "GET"): STAFF,
    ("sites.import_sites", "GET"): MANAGERS,
    ("sites.import_sites", "POST"): MANAGERS,
    ("sites.import_template", "GET"): STAFF,
    ("sites.matches_for_lead", "GET"): STAFF,
    ("sites.detail", "GET"): STAFF,
    ("sites.edit", "GET"): MANAGERS,
    ("sites.edit", "POST"): MANAGERS,
    ("sites.set_status", "POST"): MANAGERS,
    ("sites.reserve", "POST"): OWNER,  # for the officer's lead
    ("sites.release", "POST"): RELEASE,  # a site reserved for the officer's lead

    ("tax.index", "GET"): MANAGERS,
    ("tax.upload", "POST"): MANAGERS,
    ("tax.matches", "GET"): MANAGERS,
    ("tax.decide", "POST"): MANAGERS,
    ("tax.export", "GET"): STAFF,
}

# Run last: signing out ends the role's session for every later request.
LAST = {("auth.logout", "POST")}


def _setup() -> dict:
    """Users of every role, a lead and a project owned by "officer", sites, a problem, tokens."""
    officer, other = make_user("officer"), make_user("officer")
    manager, admin = make_user("manager"), make_user("admin")
    lead = make_lead(by=officer, owner=officer)
    sample = {"officer": officer, "other_officer": other, "manager": manager, "admin": admin, "lead": lead,
              "free_lead": make_lead(by=None), "today": local_today()}
    sample["tokens"] = {role: accounts.create_token(sample[role], "matrix") for role in ROLES[1:]}
    _add_projects_and_sites(sample)
    _add_api_import(sample)
    _add_lead_import(sample)
    db.session.commit()
    return sample


def _add_projects_and_sites(sample: dict) -> None:
    from flask import current_app

    if "projects.detail" in current_app.view_functions:
        from crm.projects import services as projects

        project = projects.create_project({"name": "矩阵测试项目", "company_name": "矩阵测试有限公司"},
                                          by=sample["manager"])
        project.owner_id = sample["officer"].id
        problem = projects.add_problem(project, title="用电报装慢", category="power", department="供电局",
                                       due_on=sample["today"] + timedelta(days=30), by=sample["manager"])
        sample.update(project=project, problem=problem)
    if "sites.detail" in current_app.view_functions:
        from decimal import Decimal

        from crm.sites import services as sites

        values = {"kind": "standard_factory", "park": "天易科技城", "area_m2": Decimal("2000")}
        sample["site"] = sites.create_site({**values, "code": "MX-001", "name": "矩阵厂房一"}, by=None)
        reserved = sites.create_site({**values, "code": "MX-002", "name": "矩阵厂房二"}, by=None)
        sites.reserve_site(reserved.id, sample["lead"], by=sample["officer"],
                           until=sample["today"] + timedelta(days=7), today=sample["today"])
        sample["reserved_site"] = reserved


def _add_api_import(sample: dict) -> None:
    """An import record of "officer", for GET /api/v1/imports/<id>."""
    from crm.imports.models import LeadImport

    sample["api_import"] = LeadImport(user_id=sample["officer"].id, filename="矩阵展会名单.xlsx", status="done")
    db.session.add(sample["api_import"])


def _add_lead_import(sample: dict) -> None:
    """A contact list "officer" uploaded and has not mapped yet, for the /imports/<id> pages."""
    from flask import current_app

    if "imports.detail" in current_app.view_functions:
        from crm.imports import services as imports

        data = "公司名称,联系人,手机\n矩阵导入科技有限公司,孙九,13907312399\n".encode()
        sample["lead_import"] = imports.stage_upload(data, "矩阵展会名单.csv", by=sample["officer"])


def _url_values(endpoint: str, arguments, sample: dict) -> dict:
    """A sample value for each URL argument; a new argument name fails with what to add."""
    by_argument = {
        "lead_id": lambda: sample["lead"].id,
        "import_id": lambda: sample["lead_import"].id,
        "user_id": lambda: sample["other_officer"].id,
        "active": lambda: 0,
        "token": lambda: sample["lead"].status_token,
        "code": lambda: "en",
        "stage": lambda: "enquiry",
        "section": lambda: "funnel",
        "project_id": lambda: sample["project"].id,
        "problem_id": lambda: sample["problem"].id,
        "site_id": lambda: sample["site"].id,
        "decision": lambda: "confirm",
        "filename": lambda: "css/app.css",
        "token_id": lambda: db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == sample["officer"].id)),
    }
    by_endpoint = {
        ("projects.milestone", "kind"): "construction_start",
        ("projects.stalled", "kind"): "signed_not_started",
        ("sites.release", "site_id"): lambda: sample["reserved_site"].id,
        ("api.get_import", "import_id"): lambda: sample["api_import"].id,
        # jobs.generate (sorted before it) has just written this file for a manager or an admin.
        ("jobs.download", "name"): lambda: f"pipeline-{local_today().isoformat()}-u{sample['manager'].id}.pdf",
    }
    values = {}
    for argument in arguments:
        special = by_endpoint.get((endpoint, argument))
        if special is not None:
            values[argument] = special() if callable(special) else special
        elif argument in by_argument:
            values[argument] = by_argument[argument]()
        else:
            pytest.fail(f"{endpoint}: add a sample value for URL argument <{argument}> to _url_values")
    return values


def _body(endpoint: str, sample: dict) -> dict:
    """Form fields (or JSON) that get a request past validation to the permission check."""
    lead = sample["lead"]
    until = (sample["today"] + timedelta(days=7)).isoformat()
    bodies = {
        "leads.edit": {"kind": lead.kind, "source": lead.source, "company_name": lead.company_name,
                       "contact_name": lead.contact_name, "mobile": lead.mobile, "priority": "2",
                       "version": str(lead.version), "next_action": "矩阵回访"},
        "leads.change_stage": {"stage": "contacted"},
        "leads.add_activity": {"kind": "call", "outcome": "矩阵通话"},
        "leads.assign": {"owner_id": str(sample["other_officer"].id)},
        "board.move": {"stage": "contacted"},
        "admin.change_role": {"role": "manager"},
        "admin.create_user": {"email": "matrix.new@zone.example", "name": "矩阵新用户", "role": "officer",
                              "password": "long-enough-1"},
        "sites.reserve": {"lead_id": str(lead.id), "until": until},
        "sites.set_status": {"status": "let"},
        "projects.capital": {"year": str(sample["today"].year), "quarter": "1", "amount_wan": "100"},
        "projects.add_problem": {"title": "环评", "category": "permits", "department": "生态环境局",
                                 "due_on": until},
        "projects.update_problem": {"status": "resolved", "follow_up": "已解决"},
        "projects.milestone": {"planned_on": until},
        "dashboard.save_targets": {"year": str(sample["today"].year)},
    }
    return bodies.get(endpoint, {})


def _json(endpoint: str, sample: dict):
    if endpoint == "api.patch_lead":
        return {"version": sample["lead"].version, "next_action": "矩阵 API 回访"}
    if endpoint == "api.add_activity":
        return {"kind": "call", "outcome": "矩阵 API 通话"}
    if endpoint == "api.change_stage":
        return {"stage": "contacted", "version": sample["lead"].version}
    if endpoint == "api.create_enquiry":
        return {"need": "land", "use": "矩阵测试", "expected_tax": 10, "company": "矩阵接口有限公司",
                "contact_name": "李四", "mobile": "13807312346", "consent": True}
    return None


def _routes(app):
    """(endpoint, method, rule) for every route the app serves."""
    for url_rule in app.url_map.iter_rules():
        for method in sorted(url_rule.methods - {"HEAD", "OPTIONS"}):
            yield url_rule.endpoint, method, url_rule


def test_every_route_is_in_the_matrix(app):
    served = {(endpoint, method): url_rule.rule for endpoint, method, url_rule in _routes(app)}
    missing = sorted(f"{method} {rule} ({endpoint})" for (endpoint, method), rule in served.items()
                     if (endpoint, method) not in MATRIX)
    stale = sorted(f"{method} {endpoint}" for endpoint, method in MATRIX if (endpoint, method) not in served)
    assert not missing, "add this route to the matrix in tests/security/test_permission_matrix.py:\n" + \
        "\n".join(missing)
    assert not stale, "the app no longer serves these; remove them from the matrix:\n" + "\n".join(stale)


def _check(expect, response, method: str, changed: bool) -> str | None:
    """None when the response meets the expectation, else what went wrong."""
    status = response.status_code
    location = response.headers.get("Location", "")
    to_login = status in (301, 302, 303) and "/login" in location
    if expect == ALLOW:
        if status in (401, 403) or to_login:
            return f"expected to be let through, got {status} {location}"
        if method == "GET" and status >= 400:
            return f"expected a page, got {status}"
        return None
    if expect == SIGNED_OUT:
        return None if to_login else f"expected to be signed out, got {status} {location}"
    if changed:
        return f"refused with {status} but the database changed"
    if expect == LOGIN:
        return None if to_login else f"expected a redirect to the login page, got {status} {location}"
    if expect == DENY:
        return None if status == 403 else f"expected 403, got {status} {location}"
    if expect == API401:
        body = response.get_json(silent=True) or {}
        return None if status == 401 and "error" in body else f"expected 401 JSON, got {status}"
    if isinstance(expect, Refused):
        return None if status in expect.codes else f"expected one of {expect.codes}, got {status}"
    return f"unknown expectation {expect!r}"


@pytest.mark.parametrize("role", ROLES)
def test_role_against_every_route(app, db, role):
    sample = _setup()
    browser = device(app)
    if role != "anonymous":
        sign_in(browser, sample[role])
    headers = {"Authorization": f"Bearer {sample['tokens'][role]}"} if role != "anonymous" else {}
    routes = sorted(_routes(app), key=lambda r: ((r[0], r[1]) in LAST, r[2].rule, r[1]))
    failures = []
    before = None  # the database as the last refused request left it; None after a request that may write
    for endpoint, method, url_rule in routes:
        expect = MATRIX.get((endpoint, method), {}).get(role)
        if expect is None:
            continue  # test_every_route_is_in_the_matrix reports it
        with app.test_request_context():
            url = url_for(endpoint, **_url_values(endpoint, url_rule.arguments, sample))
        body = _json(endpoint, sample)
        may_write = expect in (ALLOW, SIGNED_OUT)
        if not may_write and before is None:
            before = fingerprint()
        if url.startswith("/api/"):
            response = browser.open(url, method=method, headers=headers, json=body)
        elif method == "GET":
            response = browser.get(url)
        else:
            response = browser.open(url, method=method, data=_body(endpoint, sample))
        after = None if may_write else fingerprint()
        problem = _check(expect, response, method, changed=after != before)
        if problem:
            failures.append(f"{role:14} {method:5} {url:45} {problem}")
        before = after
    assert not failures, "permission matrix:\n" + "\n".join(failures)
