"""Baselines for bench/catalog_api.py: bare FastAPI + asyncpg endpoints doing a primary-key lookup.

No middlewares, no service layer, no composition root: a deliberately bare baseline with its own
asyncpg pool (it never goes through backend/runtime.py, which is what it is compared against).
/cards/{id}: fetch the printing's row, serialise it with orjson.
/cards-same-sql/{id}: run exactly the API's card-by-id statement and return its JSON text.
Run: BENCH_DATABASE_URL=... uvicorn bench.bare_app:app
"""
from __future__ import annotations

import contextlib
import os
import uuid

import asyncpg
import orjson
from fastapi import FastAPI, Response

from backend.repositories.card_catalog.card_repository import queries as card_queries

CARD_JSON_BY_ID = card_queries.card_json_by_id   # the API's card-by-id statement, fragments included

QUERY = "SELECT * FROM card_catalog.card_versions WHERE card_version_id = $1"


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.pool = await asyncpg.create_pool(os.environ["BENCH_DATABASE_URL"], min_size=1, max_size=10)
    yield
    await app.state.pool.close()


app = FastAPI(lifespan=lifespan)


@app.get("/cards/{card_id}")
async def card(card_id: uuid.UUID) -> Response:
    async with app.state.pool.acquire() as conn:
        row = await conn.fetchrow(QUERY, card_id)
    if row is None:
        return Response(b'{"detail":"not found"}', status_code=404, media_type="application/json")
    return Response(orjson.dumps(dict(row), default=str), media_type="application/json")


@app.get("/cards-same-sql/{card_id}")
async def card_same_sql(card_id: uuid.UUID) -> Response:
    async with app.state.pool.acquire() as conn:
        body = await conn.fetchval(CARD_JSON_BY_ID, card_id)
    if body is None:
        return Response(b'{"detail":"not found"}', status_code=404, media_type="application/json")
    return Response(body.encode(), media_type="application/json")
