"""Shared console plumbing: one error style, progress bars, the engine."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import Engine

from geosvc.config import get_settings
from geosvc.db import get_engine
from geosvc.errors import GeosvcError

console = Console(soft_wrap=True)
errors = Console(stderr=True)

P = ParamSpec("P")
R = TypeVar("R")


def engine() -> Engine:
    """The configured database's engine."""
    return get_engine(get_settings().database_url)


def fail_cleanly(func: Callable[P, R]) -> Callable[P, R]:
    """Turn a domain error into one sentence on stderr and exit status 1."""
    import functools

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except GeosvcError as exc:
            errors.print(f"[red]error:[/red] {exc.detail}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from exc

    return wrapper


@contextmanager
def progress_bar(description: str) -> Iterator[tuple[Callable[[int], None], Callable[[int], None]]]:
    """A progress bar; yields (set_total, advance) callbacks for the core to call."""
    bar = new_progress()
    with bar:
        task = bar.add_task(description, total=None)
        yield (
            lambda total: bar.update(task, total=total),
            lambda done: bar.advance(task, done),
        )


def new_progress(description: str = "{task.description}") -> Progress:
    """geosvc's progress bar on stderr, shown only on a terminal and gone when done."""
    return Progress(
        TextColumn(description),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=errors,
        transient=True,
        disable=not sys.stderr.isatty(),
    )
