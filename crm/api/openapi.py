"""The OpenAPI 3 description of API v1, served at GET /api/v1/openapi.json.

Written by hand next to the views it describes; tests/api/test_api_openapi.py checks that every route of the
blueprint is listed, so a new endpoint cannot ship undocumented.
"""

from crm.core.vocabulary import LEAD_KINDS, LEAD_SOURCES, STAGES

_ERROR = {"$ref": "#/components/schemas/Error"}


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ERROR}}}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _amount(description: str) -> dict:
    return {"type": ["number", "string"], "minimum": 0, "description": description}


_ENQUIRY = {
    "type": "object",
    "required": ["need", "use", "expected_tax", "company", "contact_name", "mobile", "consent"],
    "properties": {
        "need": {"type": "string", "enum": LEAD_KINDS.codes},
        "use": {"type": "string", "maxLength": 500, "description": "Intended use of the site"},
        "expected_tax": _amount("Expected annual tax, 万元 (10k yuan)"),
        "company": {"type": "string", "maxLength": 200},
        "contact_name": {"type": "string", "maxLength": 100},
        "mobile": {"type": "string", "description": "Mainland mobile or international number; stored as E.164"},
        "email": {"type": "string", "format": "email"},
        "industry": {"type": "string", "description": "Code of one of the zone's industry chains"},
        "area": _amount("m² of floor space; mu (亩) of land when need is land or investment"),
        "investment": _amount("Planned investment, 万元"),
        "message": {"type": "string", "maxLength": 5000},
        "consent": {"type": ["boolean", "string"], "description": "true (or \"y\"): consent to data processing"},
        "source": {"type": "string", "enum": LEAD_SOURCES.codes, "default": "web_form"},
    },
}

_LEAD = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "reference": {"type": "string", "example": "ZS-2026-000123"},
        "version": {"type": "integer", "description": "Send it back with a PATCH"},
        "stage": {"type": "string", "enum": STAGES.codes},
        "kind": {"type": "string", "enum": LEAD_KINDS.codes},
        "source": {"type": "string", "enum": LEAD_SOURCES.codes},
        "company_name": {"type": "string"},
        "credit_code": {"type": ["string", "null"]},
        "contact_name": {"type": "string"},
        "mobile": {"type": ["string", "null"]},
        "email": {"type": ["string", "null"]},
        "industry_code": {"type": ["string", "null"]},
        "owner_id": {"type": ["integer", "null"]},
        "owner": {"type": ["string", "null"]},
        "land_mu": {"type": ["number", "null"]},
        "floor_area_m2": {"type": ["number", "null"]},
        "planned_investment_wan": {"type": ["number", "null"]},
        "expected_tax_wan": {"type": ["number", "null"]},
        "collides_with_id": {"type": ["integer", "null"]},
        "created_at": {"type": "string", "format": "date-time"},
        "updated_at": {"type": "string", "format": "date-time"},
    },
}

_PATCH = {
    "type": "object",
    "required": ["version"],
    "properties": {
        "version": {"type": "integer", "description": "The version the change is based on; a stale one gets 409"},
    },
    "additionalProperties": {
        "description": "Any editable lead field (kind, source, company_name, credit_code, contact_name, mobile, "
                       "email, industry_code, intended_use, land_mu, floor_area_m2, budget_wan, timing, "
                       "planned_investment_wan, expected_output_wan, expected_tax_wan, jobs, sponsoring_leader, "
                       "priority, is_key, next_action, next_action_due, message); null clears it",
    },
}

_UNAUTHORISED = _error("Missing, unknown or revoked token, or its user is deactivated")
_INVALID = _error("Invalid input: `fields` maps each field to its messages")
_LEAD_ID = {"name": "lead_id", "in": "path", "required": True, "schema": {"type": "integer"}}


def document(server_url: str) -> dict:
    """The OpenAPI document; `server_url` is where this instance serves API v1."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "ParkLeads API", "version": "1",
                 "description": "Leads and enquiries of an investment-promotion bureau. Errors are always JSON "
                                "{\"error\": message, \"fields\": {field: [messages]}} with a 4xx status."},
        "servers": [{"url": server_url}],
        "security": [{"bearer": []}],
        "paths": {
            "/enquiries": {"post": {
                "summary": "Forward an investor's enquiry (same fields and validation as the public form)",
                "requestBody": {"required": True, "content": {"application/json": {"schema": _ENQUIRY}}},
                "responses": {
                    "201": _json({"type": "object", "properties": {
                        "id": {"type": "integer"}, "reference": {"type": "string"},
                        "status_token": {"type": "string", "description": "For the investor's /enquiry/status link"},
                    }}, "Created"),
                    "401": _UNAUTHORISED, "422": _INVALID,
                },
            }},
            "/leads": {"get": {
                "summary": "Leads, newest first, paginated",
                "parameters": [
                    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 1}},
                    {"name": "per_page", "in": "query",
                     "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 50}},
                    {"name": "stage", "in": "query", "schema": {"type": "string", "enum": [*STAGES.codes, "open"]}},
                    {"name": "owner", "in": "query", "description": "A user id, \"me\" or \"none\" (unassigned)",
                     "schema": {"type": "string"}},
                    {"name": "q", "in": "query", "description": "Reference, company, contact or mobile",
                     "schema": {"type": "string", "maxLength": 100}},
                ],
                "responses": {
                    "200": _json({"type": "object", "properties": {
                        "items": {"type": "array", "items": _LEAD}, "total": {"type": "integer"},
                        "page": {"type": "integer"}, "per_page": {"type": "integer"},
                    }}, "One page of leads"),
                    "401": _UNAUTHORISED, "422": _INVALID,
                },
            }},
            "/leads/{lead_id}": {
                "parameters": [_LEAD_ID],
                "get": {"summary": "One lead, with its version",
                        "responses": {"200": _json(_LEAD, "The lead"), "401": _UNAUTHORISED,
                                      "404": _error("No such lead")}},
                "patch": {
                    "summary": "Change editable fields (same validation, permissions and audit as the edit page)",
                    "requestBody": {"required": True, "content": {"application/json": {"schema": _PATCH}}},
                    "responses": {
                        "200": _json(_LEAD, "The changed lead, with its new version"),
                        "401": _UNAUTHORISED,
                        "403": _error("The token's user may not change this lead or this field"),
                        "404": _error("No such lead"),
                        "409": _error("Someone changed the lead since `version`; nothing was applied"),
                        "422": _INVALID,
                    },
                },
            },
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "A token from `flask --app wsgi crm create-token EMAIL`"}},
            "schemas": {"Error": {"type": "object", "required": ["error", "fields"], "properties": {
                "error": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
            }}},
        },
    }
