"""Baseline for bench/catalog_api.py: a bare FastAPI + asyncpg app doing the same primary-key lookup.

No middlewares, no service layer: acquire, fetch the printing's row, serialise it with orjson.
Run: BENCH_DATABASE_URL=... uvicorn bench.bare_app:app
"""
from __future__ import annotations

import contextlib
import os
import uuid

import asyncpg
import orjson
from fastapi import FastAPI, Response

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
