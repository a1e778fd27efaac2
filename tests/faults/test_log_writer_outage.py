"""The database log writer while Postgres is down (issue 11, fault tests): records logged during
the outage are kept and stored once the server is back, and the writer thread is still the one
(or a replacement) draining the queue afterwards."""
from __future__ import annotations

import asyncio
import logging

from backend.repositories.ops import log_writer
from tests.fixtures.faults import running_app, scalar, wait_until

logger = logging.getLogger("automana.test.outage")


async def test_records_logged_while_postgres_is_down_are_stored_when_it_is_back(own_settings, own_postgres):
    def stored(text: str) -> int:
        db = own_postgres.connect()
        try:
            return scalar(db, "SELECT count(*) FROM ops.log_records WHERE message LIKE %s", f"%{text}%")
        finally:
            db.close()

    async with running_app(own_settings):
        logger.warning("before the outage")
        await wait_until(lambda: stored("before the outage") == 1, "the record before the outage")

        await asyncio.to_thread(own_postgres.stop)
        for n in range(3):
            logger.warning("during the outage #%d", n)
        await asyncio.sleep(1.0)   # the writer meets the dead server and starts waiting for it
        await asyncio.to_thread(own_postgres.start)

        await wait_until(lambda: stored("during the outage") == 3, "the records kept through the outage")
        logger.warning("after the outage")
        await wait_until(lambda: stored("after the outage") == 1, "a record after the outage")


async def test_a_dead_writer_thread_is_replaced(own_settings, own_postgres):
    async with running_app(own_settings):
        handler = log_writer._db_handler
        assert handler is not None
        handler._queue.put(None)   # the writer's stop signal: its thread ends as if it had died
        await asyncio.to_thread(handler._thread.join, 5)
        assert not handler._thread.is_alive()

        logger.warning("after the writer died")
        db = own_postgres.connect()
        try:
            await wait_until(lambda: scalar(db, "SELECT count(*) FROM ops.log_records WHERE message = %s",
                                            "after the writer died") == 1, "the record a replacement writer stores")
        finally:
            db.close()
