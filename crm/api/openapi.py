"""The OpenAPI 3.1 description of API v1, served at GET /api/v1/openapi.json.

Written by hand next to the views it describes; tests/api/test_api_openapi.py checks that every route of the
blueprint is listed, so a new endpoint cannot ship undocumented, and tests/api/test_api_schemathesis.py calls
every operation with generated input and checks each answer against this document.
"""

from crm.core.vocabulary import ACTIVITY_KINDS, LEAD_KINDS, LEAD_SOURCES, STAGES
from crm.imports.models import STATUSES as IMPORT_STATUSES
from crm.leads.stages import GATE_FIELDS
from crm.projects.queries import SORTS as PROJECT_SORTS
from crm.projects.vocabulary import FLAGS, PHASES
from crm.sites.vocabulary import SITE_KINDS, SITE_STATUSES


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _body(schema: dict) -> dict:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def _amount(description: str) -> dict:
    return {"type": ["number", "string"], "minimum": 0, "description": description}


def _nullable(kind: str, **extra) -> dict:
    return {"type": [kind, "null"], **extra}


def _page_of(item: str) -> dict:
    return {"type": "object", "required": ["items", "total", "page", "per_page"], "properties": {
        "items": {"type": "array", "items": _ref(item)},
        "total": {"type": "integer", "minimum": 0}, "page": {"type": "integer", "minimum": 1},
        "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
    }}


def _path_id(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}


def _query(name: str, schema: dict, description: str = "") -> dict:
    parameter = {"name": name, "in": "query", "schema": schema}
    if description:
        parameter["description"] = description
    return parameter


_PAGING = [
    _query("page", {"type": "integer", "minimum": 1, "default": 1},
           "Page number; out-of-range values are clamped, never an error"),
    _query("per_page", {"type": "integer", "minimum": 1, "maximum": 100, "default": 50}, "Items per page (≤ 100)"),
]
_SEARCH = _query("q", {"type": "string", "maxLength": 100}, "Free-text search")

_UNAUTHORISED = _error("Missing, unknown or revoked token, or its user is deactivated")
_INVALID = _error("Invalid input: `fields` maps each field to its messages")
_TOO_MANY = {"description": "Too many requests for this token; retry after `Retry-After` seconds",
             "headers": {"Retry-After": {"schema": {"type": "integer"}}},
             "content": {"application/json": {"schema": _ref("Error")}}}


_MERGED = {
    "description": "This lead was merged into another: the same operation on the lead that absorbed it is at "
                   "`Location` (308 keeps the method and body, so a PATCH or POST is repeated there as sent)",
    "headers": {"Location": {"required": True, "schema": {"type": "string", "examples": ["/api/v1/leads/42"]}}},
    "content": {"application/json": {"schema": _ref("MergedLead")}},
}


def _responses(ok: dict, **errors) -> dict:
    """The answers of one operation: its success, the errors it names, and the 401/429 every call can get."""
    return {**ok, "401": _UNAUTHORISED, **errors, "429": _TOO_MANY}


_SCHEMAS = {
    "Error": {"type": "object", "required": ["error", "fields"], "properties": {
        "error": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    }},
    "Conflict": {"type": "object", "required": ["error", "fields", "version"], "properties": {
        "error": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
        "version": {"type": "integer", "description": "The lead's current version"},
    }},
    "MergedLead": {"type": "object", "required": ["message", "merged_into", "location"], "properties": {
        "message": {"type": "string"},
        "merged_into": {"type": "integer", "description": "The id of the lead that absorbed the one asked for"},
        "location": {"type": "string", "description": "As the `Location` header"},
    }},
    "Enquiry": {
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
            "consent_version": {"type": "string", "maxLength": 20,
                                "description": "Version of the consent text the investor was shown (default: the "
                                               "current one); an unpublished version gets 422"},
            "source": {"type": "string", "enum": LEAD_SOURCES.codes, "default": "web_form"},
        },
    },
    "EnquiryCreated": {"type": "object", "required": ["id", "reference", "status_token"], "properties": {
        "id": {"type": "integer"}, "reference": {"type": "string"},
        "status_token": {"type": "string", "description": "For the investor's /enquiry/status link"},
    }},
    "Lead": {
        "type": "object",
        "required": ["id", "reference", "version", "stage", "kind", "source", "company_name", "owner_id",
                     "created_at", "updated_at"],
        "properties": {
            "id": {"type": "integer"},
            "reference": {"type": "string", "examples": ["ZS-2026-000123"]},
            "version": {"type": "integer", "description": "Send it back with a PATCH or a stage change"},
            "stage": {"type": "string", "enum": STAGES.codes},
            "kind": {"type": "string", "enum": LEAD_KINDS.codes},
            "source": {"type": "string", "enum": LEAD_SOURCES.codes},
            "company_name": {"type": "string"},
            "credit_code": _nullable("string"),
            "contact_name": _nullable("string"),
            "mobile": _nullable("string"),
            "email": _nullable("string"),
            "industry_code": _nullable("string"),
            "intended_use": _nullable("string"),
            "timing": _nullable("string"),
            "jobs": _nullable("integer"),
            "owner_id": _nullable("integer"),
            "owner": _nullable("string"),
            "sponsoring_leader": _nullable("string"),
            "priority": {"type": "integer", "minimum": 1, "maximum": 3, "description": "1 high … 3 low"},
            "is_key": {"type": "boolean"},
            "next_action": _nullable("string"),
            "next_action_due": _nullable("string", format="date"),
            "lost_reason": _nullable("string"),
            "collides_with_id": _nullable("integer"),
            "message": _nullable("string"),
            "is_confidential": {"type": "boolean",
                                "description": "Only its owner, sponsoring leader and managers see who the investor "
                                               "is; others get the codename as company_name and null contact fields"},
            "codename": _nullable("string", examples=["项目A-07"]),
            "land_mu": _nullable("number"),
            "floor_area_m2": _nullable("number"),
            "budget_wan": _nullable("number"),
            "planned_investment_wan": _nullable("number"),
            "expected_output_wan": _nullable("number"),
            "expected_tax_wan": _nullable("number"),
            "created_at": {"type": "string", "format": "date-time"},
            "updated_at": {"type": "string", "format": "date-time"},
        },
    },
    "LeadPatch": {
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
    },
    "StageChange": {
        "type": "object",
        "required": ["stage", "version"],
        "properties": {
            "stage": {"type": "string", "enum": STAGES.codes},
            "reason": {"type": ["string", "null"], "maxLength": 500,
                       "description": "Required to move to `lost`; noted for `on_hold`"},
            "version": {"type": "integer", "description": "The version the change is based on; a stale one gets 409"},
        },
        "additionalProperties": False,
    },
    "Activity": {
        "type": "object",
        "required": ["id", "lead_id", "kind", "occurred_at", "outcome"],
        "properties": {
            "id": {"type": "integer"},
            "lead_id": {"type": "integer"},
            "kind": {"type": "string", "enum": ACTIVITY_KINDS.codes},
            "occurred_at": {"type": "string", "format": "date-time"},
            "outcome": {"type": "string"},
            "next_action": _nullable("string"),
            "next_action_due": _nullable("string", format="date"),
            "user_id": _nullable("integer"),
            "user": _nullable("string"),
            "created_at": {"type": "string", "format": "date-time"},
        },
    },
    "NewActivity": {
        "type": "object",
        "required": ["kind", "outcome"],
        "properties": {
            "kind": {"type": "string", "enum": ACTIVITY_KINDS.codes},
            "outcome": {"type": "string", "minLength": 1, "maxLength": 5000, "description": "What happened"},
            "occurred_on": {"type": "string", "format": "date", "description": "Default: today"},
            "next_action": {"type": "string", "maxLength": 300,
                            "description": "Becomes the lead's next action"},
            "next_action_due": {"type": "string", "format": "date"},
        },
        "additionalProperties": False,
    },
    "Milestone": {"type": "object", "required": ["kind", "planned_on", "actual_on"], "properties": {
        "kind": {"type": "string", "enum": ["signed", "land_handover", "construction_start", "completion",
                                            "production"]},
        "planned_on": _nullable("string", format="date"),
        "actual_on": _nullable("string", format="date"),
    }},
    "Project": {
        "type": "object",
        "required": ["id", "code", "name", "credit_code", "phase", "land_mu", "investment", "promised_tax",
                     "realised_tax", "tax_per_mu"],
        "properties": {
            "id": {"type": "integer"},
            "code": {"type": "string"},
            "name": {"type": "string", "description": "A confidential lead's project shows the lead's codename "
                                                      "to readers outside the lead's circle"},
            "company_name": {"type": "string", "description": "The codename too, for those readers"},
            "credit_code": _nullable("string", description="null for those readers"),
            "is_confidential": {"type": "boolean",
                                "description": "Made from a lead that is confidential (its codename shows)"},
            "phase": {"type": "string", "enum": PHASES.codes, "description": "The \"five batches\" (五个一批)"},
            "industry": _nullable("string"),
            "land_mu": _nullable("number", description="Land, mu (亩)"),
            "investment": _nullable("number", description="Committed total investment, 万元"),
            "promised_tax": _nullable("number", description="Promised annual tax, 万元"),
            "realised_tax": _nullable("number", description="Tax realised in the last full calendar year, 万元"),
            "realised_tax_year": {"type": "integer", "description": "The year `realised_tax` covers"},
            "tax_per_mu": _nullable("number", description="realised_tax ÷ land_mu (亩均税收), 万元 per mu"),
            "under_delivering": {"type": "boolean"},
            "flags": {"type": "object", "properties": {
                "key": {"type": "boolean"}, "four_new": {"type": "boolean"}, "500_strong": {"type": "boolean"}}},
            "sponsoring_leader": _nullable("string"),
        },
    },
    "ProjectDetail": {"allOf": [_ref("Project"), {"type": "object", "properties": {
        "milestones": {"type": "array", "items": _ref("Milestone")},
        "site_ids": {"type": "array", "items": {"type": "integer"}},
        "lead_id": _nullable("integer", description="The signed lead the project came from"),
    }}]},
    "Site": {
        "type": "object",
        "required": ["id", "code", "kind", "park", "status"],
        "properties": {
            "id": {"type": "integer"},
            "code": {"type": "string"},
            "name": _nullable("string"),
            "kind": {"type": "string", "enum": SITE_KINDS.codes},
            "park": {"type": "string"},
            "address": _nullable("string"),
            "area_m2": _nullable("number", description="Floor area, m²"),
            "land_mu": _nullable("number", description="Land, mu (亩)"),
            "floors": _nullable("integer"),
            "ceiling_height_m": _nullable("number"),
            "floor_load_t_m2": _nullable("number"),
            "power_kva": _nullable("integer"),
            "rent_yuan_m2_month": _nullable("number"),
            "price_wan": _nullable("number"),
            "status": {"type": "string", "enum": SITE_STATUSES.codes},
            "reserved_for_id": _nullable("integer", description="The lead the site is reserved for"),
            "reserved_until": _nullable("string", format="date"),
            "project_id": _nullable("integer"),
            "updated_at": {"type": "string", "format": "date-time"},
        },
    },
    "Import": {
        "type": "object",
        "required": ["id", "filename", "status", "total_rows", "created", "merged", "skipped", "errors",
                     "created_at"],
        "properties": {
            "id": {"type": "integer"},
            "filename": {"type": "string"},
            "status": {"type": "string", "enum": list(IMPORT_STATUSES),
                       "description": "mapping → preview → done (or discarded before it is done)"},
            "user_id": _nullable("integer", description="Who uploaded the file"),
            "user": _nullable("string"),
            "total_rows": {"type": "integer", "minimum": 0},
            "created": {"type": "integer", "minimum": 0, "description": "Leads the commit created"},
            "merged": {"type": "integer", "minimum": 0, "description": "Rows merged into leads on record"},
            "skipped": {"type": "integer", "minimum": 0},
            "errors": {"type": "integer", "minimum": 0, "description": "Rows refused for invalid values"},
            "created_at": {"type": "string", "format": "date-time"},
            "committed_at": _nullable("string", format="date-time"),
        },
    },
    "LeadPage": _page_of("Lead"),
    "ImportPage": _page_of("Import"),
    "ActivityPage": _page_of("Activity"),
    "ProjectPage": _page_of("Project"),
    "SitePage": _page_of("Site"),
}

_LEAD_ID = _path_id("lead_id")

_PATHS = {
    "/enquiries": {"post": {
        "operationId": "createEnquiry",
        "tags": ["Leads"],
        "summary": "Forward an investor's enquiry (same fields and validation as the public form)",
        "requestBody": _body(_SCHEMAS["Enquiry"]),
        "responses": _responses({"201": _json(_ref("EnquiryCreated"), "Created")}, **{"422": _INVALID}),
    }},
    "/leads": {"get": {
        "operationId": "listLeads",
        "tags": ["Leads"],
        "summary": "Leads, newest first, paginated",
        "parameters": [
            *_PAGING,
            _query("stage", {"type": "string", "enum": [*STAGES.codes, "open"]}, "A stage, or `open`"),
            _query("owner", {"type": "string", "pattern": "^([0-9]{1,9}|me|none)$"}, "A user id, \"me\" or \"none\" (unassigned)"),
            _query("q", {"type": "string", "maxLength": 100}, "Reference, company, contact or mobile"),
        ],
        "responses": _responses({"200": _json(_ref("LeadPage"), "One page of leads")}, **{"422": _INVALID}),
    }},
    "/leads/{lead_id}": {
        "parameters": [_LEAD_ID],
        "get": {"operationId": "getLead", "tags": ["Leads"], "summary": "One lead, with its version",
                "description": "The id of a lead merged into another answers 308 with the surviving lead's "
                               "address, as do the other operations on /leads/{lead_id}.",
                "responses": _responses({"200": _json(_ref("Lead"), "The lead")},
                                        **{"308": _MERGED, "404": _error("No such lead")})},
        "patch": {
            "operationId": "patchLead",
            "tags": ["Leads"],
            "summary": "Change editable fields (same validation, permissions and audit as the edit page)",
            "requestBody": _body(_SCHEMAS["LeadPatch"]),
            "responses": _responses({"200": _json(_ref("Lead"), "The changed lead, with its new version")}, **{
                "308": _MERGED,
                "403": _error("The token's user may not change this lead or this field"),
                "404": _error("No such lead"),
                "409": _json(_ref("Conflict"), "Someone changed the lead since `version`; nothing was applied"),
                "422": _INVALID,
            }),
        },
    },
    "/leads/{lead_id}/activities": {
        "parameters": [_LEAD_ID],
        "get": {"operationId": "listActivities", "tags": ["Activities"],
                "summary": "The lead's activities, newest first, paginated",
                "parameters": _PAGING,
                "responses": _responses({"200": _json(_ref("ActivityPage"), "One page of activities")},
                                        **{"308": _MERGED, "404": _error("No such lead")})},
        "post": {
            "operationId": "addActivity",
            "tags": ["Activities"],
            "summary": "Log a call, visit, meeting... (an officer's first activity on an unassigned lead claims it)",
            "requestBody": _body(_ref("NewActivity")),
            "responses": _responses({"201": _json(_ref("Activity"), "Logged")}, **{
                "308": _MERGED,
                "403": _error("The token's user may not work on this lead"),
                "404": _error("No such lead"), "422": _INVALID,
            }),
        },
    },
    "/leads/{lead_id}/stage": {
        "parameters": [_LEAD_ID],
        "post": {
            "operationId": "changeStage",
            "tags": ["Leads"],
            "summary": "Move the lead to another stage through the pipeline's gates",
            "description": "A gate that refuses answers 422 with each missing piece in `fields`: "
                           + ", ".join(f"`{code}` ({label})" for code, label in GATE_FIELDS.items())
                           + ". Signing creates the project in the register.",
            "requestBody": _body(_ref("StageChange")),
            "responses": _responses({"200": _json(_ref("Lead"), "The moved lead, with its new version")}, **{
                "308": _MERGED,
                "403": _error("The token's user may not change this lead"),
                "404": _error("No such lead"),
                "409": _json(_ref("Conflict"), "Someone changed the lead since `version`; nothing was applied"),
                "422": _error("Invalid input, or the gate refused: `fields` names what is missing"),
            }),
        },
    },
    "/projects": {"get": {
        "operationId": "listProjects",
        "tags": ["Projects"],
        "summary": "The project register (项目库) with realised tax and tax per mu, paginated",
        "parameters": [
            *_PAGING,
            _query("phase", {"type": "string", "enum": PHASES.codes}, "One of the \"five batches\""),
            _query("flag", {"type": "string", "enum": FLAGS.codes}),
            _query("industry", {"type": "string", "maxLength": 40}, "Industry chain code"),
            _query("sort", {"type": "string", "enum": list(PROJECT_SORTS), "default": "code"}),
            _SEARCH,
        ],
        "responses": _responses({"200": _json(_ref("ProjectPage"), "One page of projects")}, **{"422": _INVALID}),
    }},
    "/projects/{project_id}": {
        "parameters": [_path_id("project_id")],
        "get": {"operationId": "getProject", "tags": ["Projects"],
                "summary": "One project, with its milestones",
                "responses": _responses({"200": _json(_ref("ProjectDetail"), "The project")},
                                        **{"404": _error("No such project")})},
    },
    "/sites": {"get": {
        "operationId": "listSites",
        "tags": ["Sites"],
        "summary": "The site inventory: standard factories, land plots, offices; paginated",
        "parameters": [
            *_PAGING,
            _query("kind", {"type": "string", "enum": SITE_KINDS.codes}),
            _query("status", {"type": "string", "enum": [*SITE_STATUSES.codes, "free"]},
                   "A status, or `free` (available, or its reservation expired)"),
            _query("park", {"type": "string", "maxLength": 100}),
            _SEARCH,
        ],
        "responses": _responses({"200": _json(_ref("SitePage"), "One page of sites")}, **{"422": _INVALID}),
    }},
    "/imports": {"get": {
        "operationId": "listImports",
        "tags": ["Imports"],
        "summary": "Lead imports (uploaded contact lists), newest first: a manager sees all, an officer their own",
        "parameters": _PAGING,
        "responses": _responses({"200": _json(_ref("ImportPage"), "One page of import records")}),
    }},
    "/imports/{import_id}": {
        "parameters": [_path_id("import_id")],
        "get": {"operationId": "getImport", "tags": ["Imports"], "summary": "One import record",
                "responses": _responses({"200": _json(_ref("Import"), "The import")}, **{
                    "403": _error("An officer asked for another officer's import"),
                    "404": _error("No such import")})},
    },
    "/sites/{site_id}": {
        "parameters": [_path_id("site_id")],
        "get": {"operationId": "getSite", "tags": ["Sites"], "summary": "One site",
                "responses": _responses({"200": _json(_ref("Site"), "The site")}, **{"404": _error("No such site")})},
    },
}


def document(server_url: str) -> dict:
    """The OpenAPI document; `server_url` is where this instance serves API v1."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "ParkLeads API", "version": "1",
                 "description": "Leads, activities, projects and sites of an investment-promotion bureau. "
                                "Authenticate with `Authorization: Bearer <token>` (create tokens on your profile "
                                "page). Lists are paginated as {\"items\", \"total\", \"page\", \"per_page\"}. "
                                "Errors are always JSON {\"error\": message, \"fields\": {field: [messages]}} "
                                "with a 4xx status. Money is in 万元 (10k yuan), land in mu (亩)."},
        "servers": [{"url": server_url}],
        "security": [{"bearer": []}],
        "tags": [{"name": name} for name in ("Leads", "Activities", "Projects", "Sites", "Imports")],
        "paths": _PATHS,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "A token from your profile page, or from "
                                                          "`flask --app wsgi crm create-token EMAIL`"}},
            "schemas": _SCHEMAS,
        },
    }
