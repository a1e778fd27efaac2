"""Every /api/users and /api/logs route refuses anonymous callers, except the few that must be public."""
from __future__ import annotations

import re

PUBLIC = {
    ("POST", "/api/users/users/"),            # registration
    ("POST", "/api/users/auth/token"),        # login
    ("POST", "/api/users/auth/token/refresh"),  # authenticated by the refresh token in the body
    ("POST", "/api/users/auth/logout"),       # harmless when signed out
}
PLACEHOLDER = "00000000-0000-0000-0000-000000000000"


async def test_every_route_requires_authentication(app, client):
    checked = 0
    # The OpenAPI document lists every mounted route (included routers are not flattened in app.routes).
    for template, operations in app.openapi()["paths"].items():
        if not template.startswith(("/api/users/", "/api/logs/")):
            continue  # other areas (e.g. the public catalog) own their own rules and tests
        for method in (m.upper() for m in operations):
            if (method, template) in PUBLIC:
                continue
            path = re.sub(r"\{[^}]+\}", lambda m: "seller" if m.group(0) == "{role_name}" else PLACEHOLDER,
                          template)
            response = await client.request(method, path, params={"reason": "probe"})
            assert response.status_code == 401, f"{method} {template} answered {response.status_code}"
            checked += 1
    assert checked >= 15


async def test_admin_routes_refuse_ordinary_users(app, client, user_headers):
    admin_only = [
        ("GET", "/api/users/users/"),
        ("PUT", f"/api/users/users/{PLACEHOLDER}/active"),
        ("GET", f"/api/users/users/{PLACEHOLDER}/roles"),
        ("POST", f"/api/users/users/{PLACEHOLDER}/roles"),
        ("DELETE", f"/api/users/users/{PLACEHOLDER}/roles/seller?reason=probe"),
        ("GET", f"/api/users/users/{PLACEHOLDER}/roles/audit"),
        ("GET", "/api/logs/"),
    ]
    for method, path in admin_only:
        body = {"role_name": "seller", "reason": "probe"} if method == "POST" else (
            {"is_active": False, "reason": "probe"} if method == "PUT" else None)
        response = await client.request(method, path, headers=user_headers, json=body)
        assert response.status_code == 403, f"{method} {path} answered {response.status_code}"
