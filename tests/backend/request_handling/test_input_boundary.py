"""The input boundary: text Postgres cannot hold is refused before any route runs, and bodies are
limited while they stream in; plus the headers every response carries and the local docs."""
from __future__ import annotations

import pytest

from backend.main import create_app

SEARCH = "/api/catalog/mtg/card-reference/"


def assert_refused(response, status: int, code: str, location: str | None = None) -> dict:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    if location:
        assert error["details"]["location"] == location
    return error


@pytest.mark.parametrize("query", ["set=a%00b", "type=%00", "q=t%3Adragon%00", "name=caf%E9", "a%00b=1"])
async def test_nul_or_invalid_utf8_in_a_query_is_a_422(client, query):
    error = assert_refused(await client.get(f"{SEARCH}?{query}"), 422, "invalid_characters", "query")
    assert "NUL" in error["message"] or "UTF-8" in error["message"]


@pytest.mark.parametrize("path", ["/api/catalog/mtg/card-reference/by-number/a%00b/1",
                                  "/api/catalog/mtg/set-reference/a%00b", "/api/x%00y"])
async def test_nul_in_a_path_is_a_422(client, path):
    assert_refused(await client.get(path), 422, "invalid_characters", "path")


async def test_nul_in_a_form_or_a_json_string_is_a_422(client, db):
    form = await client.post("/api/users/auth/token", data={"username": "ali\x00ce", "password": "whatever-123"})
    error = assert_refused(form, 422, "invalid_characters", "form")
    assert error["details"]["parameter"] == "username"
    json_body = await client.post("/api/users/users/", json={"username": "nulname", "email": "n@example.com",
                                                             "full_name": "a\x00b", "password": "Fine-Pass-1234"})
    assert_refused(json_body, 422, "invalid_characters", "body")
    # An escaped backslash followed by "u0000" is ordinary text, not a NUL.
    fine = await client.post("/api/users/users/", json={"username": "slashname", "email": "s@example.com",
                                                        "full_name": "a\\u0000b", "password": "Fine-Pass-1234"})
    assert fine.status_code == 201, fine.text
    with db.cursor() as cur:
        cur.execute("SELECT username, full_name FROM user_management.users")
        assert cur.fetchall() == [("slashname", "a\\u0000b")]


async def test_a_body_over_the_limit_is_refused_while_it_streams(client, settings):
    limit = settings.max_request_body_bytes

    async def endless():
        sent = 0
        while sent < 64 * 1024 * 1024:   # 64 MiB, in chunks, with no Content-Length
            yield b"[" + b" " * 65534 + b"]" if sent == 0 else b" " * 65536
            sent += 65536

    streamed = await client.post(f"{SEARCH}batch", content=endless(), headers={"content-type": "application/json"})
    error = assert_refused(streamed, 413, "payload_too_large")
    assert error["details"]["max_bytes"] == limit
    declared = await client.post(f"{SEARCH}batch", content=b"{}", headers={
        "content-type": "application/json", "content-length": str(limit + 1)})
    assert declared.status_code == 413


async def test_upload_routes_take_larger_bodies(client, admin_headers, settings):
    big = b"[" + b" " * (settings.max_request_body_bytes * 2) + b"]"
    response = await client.post("/api/catalog/mtg/set-reference/upload-file", content=big,
                                 headers={**admin_headers, "content-type": "application/json"})
    # Past the boundary: the route itself reads it (an empty list of sets is its own 400).
    assert response.status_code == 400 and response.json()["error"]["message"] == "the file holds no sets"


async def test_every_response_carries_the_security_headers(client):
    for response in (await client.get("/health"), await client.get(SEARCH + "?q=%00"), await client.get("/nope")):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert "server" not in response.headers


async def test_docs_are_served_from_local_assets(client):
    page = await client.get("/docs")
    assert page.status_code == 200
    assert "/docs/assets/swagger-ui-bundle.js" in page.text and "cdn" not in page.text.lower()
    assert "script-src 'self'" in page.headers["content-security-policy"]
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert (await client.get(f"/docs/assets/{asset}")).status_code == 200
    assert (await client.get("/openapi.json")).json()["info"]["title"] == "AutoMana API"


async def test_docs_can_be_switched_off(settings):
    import httpx
    from asgi_lifespan import LifespanManager

    settings.api_docs_enabled = False
    app = create_app(settings)
    async with LifespanManager(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
            assert (await http.get("/docs")).status_code == 404
            assert (await http.get("/openapi.json")).status_code == 404
            assert (await http.get("/health")).status_code == 200


async def test_numbers_and_dates_out_of_range_are_4xx(client, admin_headers):
    run = await client.get("/api/catalog/mtg/card-reference/upload-file/9223372036854775808", headers=admin_headers)
    assert run.status_code == 422 and run.json()["error"]["code"] == "validation_error"
    logs = await client.get("/api/logs/", headers=admin_headers,
                            params={"end_date": "9999-12-31T23:59:59-14:00"})
    assert 400 <= logs.status_code < 500, logs.text


async def test_head_answers_like_get_without_a_body(client):
    get, head = await client.get("/health"), await client.head("/health")
    assert head.status_code == get.status_code == 200
    assert head.content == b"" and head.headers["content-length"] == get.headers["content-length"]
    missing = await client.head("/api/nothing-here")
    assert missing.status_code == 404 and missing.content == b""


async def test_multipart_with_an_overlong_boundary_is_a_400(client):
    boundary = "x" * 300
    body = f"--{boundary}\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\nalice\r\n--{boundary}--\r\n"
    response = await client.post("/api/users/auth/token", content=body.encode(),
                                 headers={"content-type": f"multipart/form-data; boundary={boundary}"})
    assert_refused(response, 400, "invalid_multipart")


async def test_a_multipart_upload_without_its_closing_boundary_is_refused(client, admin_headers, settings):
    boundary = "b0undary"
    cut = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"cards.json\"\r\n"
           "Content-Type: application/json\r\n\r\n[{\"id\": 1}, {\"id\"").encode()
    response = await client.post("/api/catalog/mtg/card-reference/upload-file", content=cut,
                                 headers={**admin_headers, "content-type": f"multipart/form-data; boundary={boundary}"})
    error = assert_refused(response, 400, "bad_request")
    assert "closing boundary" in error["message"]
    # No half-written file left (collection imports keep a folder of their own in there).
    assert not settings.upload_dir.exists() or [p for p in settings.upload_dir.iterdir() if p.is_file()] == []
