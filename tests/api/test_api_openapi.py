"""GET /api/v1/openapi.json describes every route of API v1."""

import re

from crm.api.openapi import document


def _documented_routes(app) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.openapi":
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
            routes |= {(path, method.lower()) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return routes


def test_the_document_is_public_json(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    assert body["openapi"].startswith("3.")
    assert body["servers"][0]["url"].endswith("/api/v1")
    assert body["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_every_api_route_is_documented(app, client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    documented = {(path, method) for path, item in paths.items() for method in item if method != "parameters"}
    assert _documented_routes(app) <= documented, "undocumented: " + str(_documented_routes(app) - documented)


def test_the_documented_contract(app):
    with app.test_request_context():
        paths = document("http://zone.example/api/v1")["paths"]
    enquiry = paths["/enquiries"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert set(enquiry["required"]) == {"need", "use", "expected_tax", "company", "contact_name", "mobile",
                                        "consent"}
    assert set(enquiry["properties"]) >= {"email", "industry", "area", "investment", "message"}
    assert {p["name"] for p in paths["/leads"]["get"]["parameters"]} >= {"stage", "owner", "q", "page", "per_page"}
    assert paths["/leads/{lead_id}"]["patch"]["requestBody"]["content"]["application/json"]["schema"][
        "required"] == ["version"]
    assert set(paths["/leads/{lead_id}"]["patch"]["responses"]) >= {"200", "403", "409", "422"}
