"""Where SQL may be written: each domain's repository, and the core's database plumbing.

ARCHITECTURE.md's rule, read off the code: a string that reads as SQL (outside docstrings)
appears only in a module called ``repo`` or inside a ``repo`` package of a domain, or in one
of the core modules that exist to talk to the database. The command line (``etl``) and the
web layer (``api``) hold none.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: Core modules whose job is the database itself: connections, bulk COPY, migrations.
CORE_DATABASE_MODULES = {"geosvc/db.py", "geosvc/bulkload.py", "geosvc/schema.py"}

SQL = re.compile(
    r"\b(SELECT\s.+\sFROM|INSERT\s+INTO|UPDATE\s+\w+(\s+\w+)?\s+SET|DELETE\s+FROM|COPY\s+\w+"
    r"|CREATE\s+(TABLE|INDEX|EXTENSION|DATABASE|TEMP)|ALTER\s+TABLE|DROP\s+(TABLE|DATABASE)"
    r"|TRUNCATE\s|LISTEN\s|pg_notify|pg_advisory)",
    re.DOTALL,
)


def _docstrings(tree: ast.AST) -> set[int]:
    """The ids of the docstring nodes of a module, its classes and functions."""
    ids: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        first = body[0] if isinstance(body, list) and body else None
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
            ids.add(id(first.value))
    return ids


def sql_strings(path: Path) -> Iterator[tuple[int, str]]:
    """(line, first words) of every string constant in ``path`` that reads as SQL."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _docstrings(tree)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Constant) or id(node) in skip:
            continue
        if isinstance(node.value, str) and SQL.search(node.value):
            yield node.lineno, " ".join(node.value.split())[:60]


def may_hold_sql(relative: str) -> bool:
    """Whether the module at ``relative`` (a posix path from the root) may hold SQL."""
    parts = relative.split("/")
    if parts[0] != "geosvc":
        return False
    if relative in CORE_DATABASE_MODULES or parts[1] == "migrations":
        return True
    return parts[-1] == "repo.py" or "repo" in parts[2:-1]


def misplaced_sql() -> list[str]:
    """Every SQL string outside the modules allowed to hold SQL, as ``path:line: words``."""
    found = []
    for package in ("geosvc", "api", "etl"):
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if may_hold_sql(relative):
                continue
            found += [f"{relative}:{line}: {words}" for line, words in sql_strings(path)]
    return found


def test_sql_lives_only_in_repositories() -> None:
    misplaced = misplaced_sql()
    assert not misplaced, "SQL outside a repository:\n" + "\n".join(misplaced)


def test_the_check_sees_sql(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        '"""SELECT a FROM docs is prose."""\n'
        'Q = "SELECT id FROM ward WHERE code = :c"\n'
        'W = f"UPDATE service_request r SET status = {1}"\n'
    )
    assert [line for line, _ in sql_strings(module)] == [2, 3]


def test_repositories_may_hold_sql() -> None:
    assert may_hold_sql("geosvc/requests/repo.py")
    assert may_hold_sql("geosvc/analytics/repo/runs.py")
    assert may_hold_sql("geosvc/db.py")
    assert not may_hold_sql("geosvc/requests/lifecycle.py")
    assert not may_hold_sql("api/routers/requests.py")
    assert not may_hold_sql("etl/demo.py")
