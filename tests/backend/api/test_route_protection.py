"""Every /api route refuses anonymous callers, except the few that must be public."""
from __future__ import annotations

import re

PUBLIC = {
    ("POST", "/api/users/users/"),            # registration
    ("POST", "/api/users/auth/token"),        # login
    ("POST", "/api/users/auth/token/refresh"),  # authenticated by the refresh token in the body
    ("POST", "/api/users/auth/logout"),       # harmless when signed out
    ("POST", "/api/catalog/mtg/card-reference/batch"),       # a read: batch lookup of public cards
    ("POST", "/api/catalog/mtg/card-reference/collection"),  # its old path
}
# The card catalog is public reference data, like Scryfall's; only its writes and upload runs are not.
PUBLIC_READ_PREFIXES = ("/api/catalog/mtg/card-reference", "/api/catalog/mtg/set-reference",
                        "/api/catalog/mtg/prices")
PRIVATE_READS = {"/api/catalog/mtg/card-reference/upload-file/{run_id}"}


def is_public(method: str, template: str) -> bool:
    if (method, template) in PUBLIC:
        return True
    return method == "GET" and template.startswith(PUBLIC_READ_PREFIXES) and template not in PRIVATE_READS


PLACEHOLDER = "00000000-0000-0000-0000-000000000000"
PATH_VALUES = {"{role_name}": "seller", "{run_id}": "1", "{set_code}": "lea", "{collector_number}": "1"}


async def test_every_route_requires_authentication(app, client):
    checked = 0
    # The OpenAPI document lists every mounted route (included routers are not flattened in app.routes).
    for template, operations in app.openapi()["paths"].items():
        if not template.startswith("/api/"):
            continue
        for method in (m.upper() for m in operations):
            if is_public(method, template):
                continue
            path = re.sub(r"\{[^}]+\}", lambda m: PATH_VALUES.get(m.group(0), PLACEHOLDER), template)
            response = await client.request(method, path, params={"reason": "probe"})
            assert response.status_code == 401, f"{method} {template} answered {response.status_code}"
            checked += 1
    assert checked >= 25


async def test_admin_routes_refuse_ordinary_users(app, client, user_headers):
    admin_only = [
        ("GET", "/api/users/users/"),
        ("PUT", f"/api/users/users/{PLACEHOLDER}/active"),
        ("GET", f"/api/users/users/{PLACEHOLDER}/roles"),
        ("POST", f"/api/users/users/{PLACEHOLDER}/roles"),
        ("DELETE", f"/api/users/users/{PLACEHOLDER}/roles/seller?reason=probe"),
        ("GET", f"/api/users/users/{PLACEHOLDER}/roles/audit"),
        ("GET", "/api/logs/"),
        ("POST", "/api/catalog/mtg/card-reference/"),
        ("POST", "/api/catalog/mtg/card-reference/bulk"),
        ("DELETE", f"/api/catalog/mtg/card-reference/{PLACEHOLDER}"),
        ("GET", "/api/catalog/mtg/card-reference/upload-file/1"),
        ("POST", "/api/catalog/mtg/set-reference/"),
        ("PUT", f"/api/catalog/mtg/set-reference/{PLACEHOLDER}"),
        ("DELETE", f"/api/catalog/mtg/set-reference/{PLACEHOLDER}"),
        ("POST", "/api/integrations/scryfall/runs"),
        ("GET", "/api/integrations/scryfall/runs"),
    ]
    for method, path in admin_only:
        body = {"role_name": "seller", "reason": "probe"} if method == "POST" else (
            {"is_active": False, "reason": "probe"} if method == "PUT" else None)
        response = await client.request(method, path, headers=user_headers, json=body)
        assert response.status_code == 403, f"{method} {path} answered {response.status_code}"
