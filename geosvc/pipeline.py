"""Overlapping Python work with database work in bulk loads."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


def read_ahead(items: Iterator[T], name: str = "read-ahead") -> Generator[T, None, None]:
    """The same items, the next one produced in a worker thread while this one is used.

    Reading and checking a chunk is numpy, pandas and Arrow work that mostly releases the
    GIL, and storing the previous chunk waits on the database: on a two-core machine the
    two overlap. Close the generator (``contextlib.closing``) before closing what
    ``items`` reads from, so that the worker has stopped first.
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix=name) as pool:
        pending = pool.submit(next, items, None)
        while (item := pending.result()) is not None:
            pending = pool.submit(next, items, None)
            yield item
