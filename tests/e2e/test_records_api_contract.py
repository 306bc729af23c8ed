"""API.md's records routes (and the agency's client types, warning indicators and groups) are
served and documented in the OpenAPI document the gateway publishes, with their error statuses;
the document is valid OpenAPI 3.0."""

import requests
from schemathesis.specs.openapi.definitions import OPENAPI_30_VALIDATOR

R = "/api/v1/staff/records/{record_id}"
CONTRACT = {
    ("post", "/api/v1/staff/records"): {"201", "409", "422"},
    ("get", "/api/v1/staff/records"): {"200", "422"},
    ("get", R): {"200", "404"},
    ("patch", R): {"200", "404", "422"},
    ("put", f"{R}/case-number"): {"200", "403", "409"},
    ("put", f"{R}/client-type"): {"200", "422"},
    ("put", f"{R}/status"): {"200", "422"},
    ("put", f"{R}/portal-status"): {"200", "409"},
    ("put", f"{R}/image"): {"200", "413", "415"},
    ("get", f"{R}/image"): {"200", "404"},
    ("post", f"{R}/groups"): {"200", "201"},
    ("delete", f"{R}/groups/{{group_id}}"): {"204", "404"},
    ("post", f"{R}/navigators"): {"200", "201"},
    ("delete", f"{R}/navigators/{{user_id}}"): {"204", "404"},
    ("delete", R): {"204", "403", "409"},
    ("post", f"{R}/restore"): {"200", "403", "409"},
    ("get", f"{R}/notes"): {"200"},
    ("put", f"{R}/notes"): {"200"},
    ("get", f"{R}/audit"): {"200", "403"},
    ("get", f"{R}/status-history"): {"200"},
    ("get", "/api/v1/staff/contacts"): {"200"},
    ("post", "/api/v1/staff/contacts"): {"201", "409"},
    ("get", "/api/v1/staff/contacts/{contact_id}"): {"200", "404"},
    ("patch", "/api/v1/staff/contacts/{contact_id}"): {"200", "422"},
    ("get", f"{R}/contacts"): {"200"},
    ("post", f"{R}/contacts"): {"201", "409"},
    ("patch", f"{R}/contacts/{{contact_id}}"): {"200"},
    ("delete", f"{R}/contacts/{{contact_id}}"): {"204"},
    ("get", "/api/v1/staff/client-types"): {"200"},
    ("post", "/api/v1/staff/client-types"): {"201", "403", "409"},
    ("patch", "/api/v1/staff/client-types/{client_type_id}"): {"200", "409"},
    ("delete", "/api/v1/staff/client-types/{client_type_id}"): {"200", "204"},
    ("get", "/api/v1/staff/warning-indicators"): {"200"},
    ("post", "/api/v1/staff/warning-indicators"): {"201", "409"},
    ("patch", "/api/v1/staff/warning-indicators/{indicator_id}"): {"200", "409"},
    ("delete", "/api/v1/staff/warning-indicators/{indicator_id}"): {"200", "204"},
    ("get", "/api/v1/staff/groups"): {"200"},
    ("post", "/api/v1/staff/groups"): {"201", "409"},
    ("patch", "/api/v1/staff/groups/{group_id}"): {"200", "409"},
    ("delete", "/api/v1/staff/groups/{group_id}"): {"204"},
    ("post", "/api/v1/staff/groups/{group_id}/members/bulk"): {"200", "422"},
}


def test_records_routes_are_documented_with_their_statuses(gateway_url):
    document = requests.get(f"{gateway_url}/api/v1/openapi.json").json()
    assert list(OPENAPI_30_VALIDATOR.iter_errors(document)) == []
    missing = []
    for (method, path), statuses in CONTRACT.items():
        operation = document["paths"].get(path, {}).get(method)
        if operation is None or not statuses <= set(operation["responses"]):
            missing.append((method, path, sorted(operation["responses"]) if operation else None))
    assert missing == []
    image = document["paths"][f"{R}/image"]["put"]["requestBody"]["content"]
    assert {"image/jpeg", "image/png", "image/gif", "image/webp"} <= set(image)
    assert image["image/png"]["schema"] == {"type": "string", "format": "binary"}
