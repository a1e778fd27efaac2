"""/api/logs/ is for admins only, and records logged while serving a user carry their username."""
from __future__ import annotations

import logging

from backend.repositories.ops.log_writer import flush_database_logs


async def test_logs_require_the_admin_role(client, admin_headers, user_headers):
    anonymous = await client.get("/api/logs/")
    assert anonymous.status_code == 401 and anonymous.json()["error"]["code"] == "not_authenticated"
    plain = await client.get("/api/logs/", headers=user_headers)
    assert plain.status_code == 403 and plain.json()["error"]["code"] == "admin_required"
    response = await client.get("/api/logs/", headers=admin_headers)
    assert response.status_code == 200
    assert response.json()["success"] is True


async def test_warnings_while_serving_a_user_name_that_user(client, admin_user, plain_user):
    # A warning logged outside any request names nobody...
    logging.getLogger("automana.test").warning("outside any request (log attribution test)")
    # ...while disabling an account logs a WARNING inside a request authenticated as the admin.
    response = await client.put(f"/api/users/users/{plain_user.id}/active", headers=admin_user.headers,
                                json={"is_active": False, "reason": "log attribution test"})
    assert response.status_code == 200, response.text
    flush_database_logs()
    logs = await client.get("/api/logs/", headers=admin_user.headers,
                            params={"search": "log attribution test", "level": "WARNING"})
    assert logs.status_code == 200, logs.text
    rows = {r["message"]: (r["username"], r["request_id"], r["service_type"]) for r in logs.json()["data"]}
    assert rows == {
        f"user {plain_user.id} disabled by {admin_user.username}: log attribution test":
            (admin_user.username, response.headers["x-request-id"], "api"),
        "outside any request (log attribution test)": (None, None, "api"),
    }
    # The username is a filter too.
    mine = await client.get("/api/logs/", headers=admin_user.headers,
                            params={"search": "log attribution test", "user": admin_user.username})
    assert [r["username"] for r in mine.json()["data"]] == [admin_user.username]
    theirs = await client.get("/api/logs/", headers=admin_user.headers,
                              params={"search": "log attribution test", "user": plain_user.username})
    assert theirs.json()["data"] == [] and theirs.json()["pagination"]["total_count"] == 0
