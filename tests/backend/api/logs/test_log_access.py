"""/api/logs/ is for admins only, and records logged while serving a user carry their username."""
from __future__ import annotations

import logging

from backend.repositories.ops.log_writer import flush_database_logs


async def test_logs_require_the_admin_role(client, admin_headers, user_headers):
    assert (await client.get("/api/logs/")).status_code == 401
    assert (await client.get("/api/logs/", headers=user_headers)).status_code == 403
    response = await client.get("/api/logs/", headers=admin_headers)
    assert response.status_code == 200
    assert response.json()["success"] is True


async def test_warnings_while_serving_a_user_name_that_user(client, admin_user, plain_user):
    # Disabling an account logs a WARNING inside a request authenticated as the admin.
    response = await client.put(f"/api/users/users/{plain_user.id}/active", headers=admin_user.headers,
                                json={"is_active": False, "reason": "log attribution test"})
    assert response.status_code == 200
    flush_database_logs()
    logs = await client.get("/api/logs/", headers=admin_user.headers,
                            params={"search": "log attribution test", "level": "WARNING"})
    rows = logs.json()["data"]
    assert rows and rows[0]["username"] == admin_user.username
    assert logging.getLogger().handlers  # the app configured logging
