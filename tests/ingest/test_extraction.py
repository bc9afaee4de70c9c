"""PageBatches: a polite crawl's pages go to the extraction workers a batch at a time, never held for good."""

from __future__ import annotations

import asyncio

from ingest.extraction import PageBatches


async def _turns(batches: PageBatches, pages: int) -> list[asyncio.Task[None]]:
    tasks = [asyncio.create_task(batches.turn()) for _ in range(pages)]
    await asyncio.sleep(0)  # every page has asked for its turn
    return tasks


def test_pages_wait_until_their_batch_is_full_then_go_together() -> None:
    async def scenario() -> None:
        batches = PageBatches(3, wait_s=60.0)
        first = await _turns(batches, 2)
        await asyncio.sleep(0.05)
        assert not any(task.done() for task in first), "two of three: the batch is not full"
        third = await _turns(batches, 1)
        await asyncio.wait_for(asyncio.gather(*first, *third), 1.0)
        fourth = await _turns(batches, 1)
        await asyncio.sleep(0.05)
        assert not fourth[0].done(), "a page after a full batch starts the next one"
        fourth[0].cancel()

    asyncio.run(scenario())


def test_a_batch_that_does_not_fill_goes_once_its_first_page_has_waited() -> None:
    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        batches = PageBatches(8, wait_s=0.2)
        start = loop.time()
        first = await _turns(batches, 1)
        await asyncio.sleep(0.1)
        second = await _turns(batches, 1)  # joins the first page's batch: the wait counts from the first
        await asyncio.wait_for(asyncio.gather(*first, *second), 2.0)
        assert 0.2 <= loop.time() - start < 1.0

    asyncio.run(scenario())


def test_batches_of_one_let_every_page_through_at_once() -> None:
    async def scenario() -> None:
        batches = PageBatches(1, wait_s=60.0)
        await asyncio.wait_for(batches.turn(), 0.1)

    asyncio.run(scenario())


def test_a_cancelled_page_does_not_hold_up_its_batch() -> None:
    async def scenario() -> None:
        batches = PageBatches(3, wait_s=60.0)
        first, second = await _turns(batches, 2)
        first.cancel()  # the crawl stopping while the page waited
        await asyncio.sleep(0)
        (third,) = await _turns(batches, 1)
        await asyncio.wait_for(asyncio.gather(second, third), 1.0)
        assert first.cancelled()

    asyncio.run(scenario())
