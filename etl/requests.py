"""``geosvc requests``: lodge, list, show and act on requests; run the escalation job."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import typer

from etl.console import engine, errors, fail_cleanly
from etl.request_import import import_requests
from geosvc.config import get_settings
from geosvc.requests.escalation import escalate_due
from geosvc.requests.intake import Contact, NewRequest, create_request, policy_for
from geosvc.requests.lifecycle import Change, change_request
from geosvc.requests.permissions import STAFF_ACTIONS
from geosvc.requests.repo.events import request_history
from geosvc.requests.repo.requests import RequestFilter, RequestRecord, get_request, list_requests
from geosvc.requests.transitions import Action, Resolution
from geosvc.requests.working_days import calendar_for

app = typer.Typer(
    help="Service requests: lodge, follow, act, escalate, import history.", no_args_is_help=True
)
app.command("import")(import_requests)  # "import" is a keyword, so the name is given

BY = typer.Option(..., "--by", help="Who is acting (recorded in the request's history).")
NOTE = typer.Option("", "--note", help="A note; what the customer is told where public.")
PUBLIC = typer.Option(None, "--public/--internal", help="Whether the citizen sees the note.")


def _summary(record: RequestRecord) -> str:
    due = record.due_at.date().isoformat() if record.due_at else "-"
    ward = record.ward_code or "-"
    return f"{record.reference}\t{record.status}\t{record.service_code}\t{ward}\tdue {due}"


@app.command()
@fail_cleanly
def lodge(
    service: str = typer.Option(..., help="Service code (geosvc services list)."),
    lat: float | None = typer.Option(None, help="Latitude in degrees."),
    lon: float | None = typer.Option(None, help="Longitude in degrees."),
    address: str | None = typer.Option(None, help="Address, when there is no point."),
    description: str = typer.Option("", help="What the caller reports."),
    channel: str = typer.Option("phone", help="web, app, phone, e-mail, letter, in_person, ..."),
    kind: str = typer.Option("request", help="request, complaint or compliment."),
    name: str = typer.Option("", help="Caller's name."),
    phone: str = typer.Option("", help="Caller's phone number."),
    email: str = typer.Option("", help="Caller's e-mail address."),
    by: str = BY,
) -> None:
    """Lodge a request for a caller and print its reference and service notice."""
    first, _, last = name.partition(" ")
    new = NewRequest(
        service_code=service,
        lon=lon,
        lat=lat,
        address=address,
        description=description,
        kind=kind,
        channel=channel,
        contact=Contact(first_name=first, last_name=last, phone=phone, email=email),
        actor=by,
    )
    with engine().begin() as conn:
        record = create_request(conn, new, policy_for(get_settings()))
    typer.echo(_summary(record))
    typer.echo(record.service_notice or "")


@app.command("list")
@fail_cleanly
def list_(
    service: str | None = typer.Option(None, help="Service codes, comma-separated."),
    status: str | None = typer.Option(None, help="Statuses, comma-separated; 'open' for all open."),
    ward: str | None = typer.Option(None, help="Ward code."),
    overdue: bool = typer.Option(False, help="Only open requests past their due date."),
    limit: int = typer.Option(50, min=1, max=10_000, help="How many to print."),
) -> None:
    """Print requests, newest first: reference, status, service, ward, due date."""
    where = RequestFilter(
        service_codes=tuple(service.split(",")) if service else None,
        statuses=tuple(status.split(",")) if status else None,
        ward_code=ward,
        overdue_at=datetime.now(UTC) if overdue else None,
        page_size=limit,
    )
    with engine().connect() as conn:
        records, total = list_requests(conn, where)
    for record in records:
        typer.echo(_summary(record))
    errors.print(f"{len(records)} of {total} requests", style="dim")


@app.command()
@fail_cleanly
def show(reference: str = typer.Argument(..., help="The request's reference number.")) -> None:
    """Print a request and its whole history."""
    with engine().connect() as conn:
        record = get_request(conn, reference)
        history = request_history(conn, record.id)
    zone = ZoneInfo(get_settings().timezone)
    typer.echo(_summary(record))
    typer.echo(f"{record.service_name}: {record.description or '(no description)'}")
    for event in history:
        change = f"{event.status_from or ''}->{event.status_to}" if event.status_to else ""
        visibility = "public" if event.public else "internal"
        typer.echo(
            f"{event.at.astimezone(zone):%Y-%m-%d %H:%M}\t{event.kind}\t{event.actor}\t"
            f"{change}\t{visibility}\t{event.note}"
        )


def _apply(reference: str, change: Change) -> None:
    settings = get_settings()
    with engine().begin() as conn:
        record = change_request(conn, reference, change, calendar_for(settings))
    typer.echo(_summary(record))


_HELP = {
    Action.ACKNOWLEDGE: "Acknowledge receipt of a request to its citizen.",
    Action.START: "Mark a request as being worked on.",
    Action.HOLD: "Put a request on hold (its service-standard clocks stop); --note gives why.",
    Action.RESUME: "Take a request off hold; its due dates move on by the days held.",
    Action.NOTE: "Add a note to a request's history (internal unless --public).",
    Action.NOTIFY: "Record a progress notice sent to the customer (--note is the message).",
    Action.REOPEN: "Reopen a closed request; its standards start again.",
}


def _simple(action: Action) -> Callable[..., None]:
    def command(
        reference: str = typer.Argument(..., help="The request's reference number."),
        by: str = BY,
        note: str = NOTE,
        public: bool | None = PUBLIC,
    ) -> None:
        _apply(reference, Change(action, by, note=note, public=public))

    command.__doc__ = _HELP[action]
    return fail_cleanly(command)


# Assigning and closing need more than a note: they have commands of their own below.
for _action in STAFF_ACTIONS:
    if _action not in {Action.ASSIGN, Action.CLOSE}:
        app.command(_action.value)(_simple(_action))


@app.command()
@fail_cleanly
def assign(
    reference: str = typer.Argument(..., help="The request's reference number."),
    to: str = typer.Option(..., "--to", help="The officer or team it goes to."),
    by: str = BY,
    note: str = NOTE,
) -> None:
    """Assign a request to an officer or team."""
    _apply(reference, Change(Action.ASSIGN, by, note=note, assignee=to))


@app.command()
@fail_cleanly
def close(
    reference: str = typer.Argument(..., help="The request's reference number."),
    resolution: Resolution = typer.Option(..., help="How the request ended."),
    by: str = BY,
    note: str = NOTE,
) -> None:
    """Close a request with its resolution (linked duplicates close with it)."""
    _apply(reference, Change(Action.CLOSE, by, note=note, resolution=resolution))


@app.command()
@fail_cleanly
def escalate() -> None:
    """Escalate every open request that breaches a service standard (once per breach)."""
    with engine().begin() as conn:
        done = escalate_due(conn, calendar_for(get_settings()))
    for escalation in done:
        typer.echo(f"{escalation.reference}\t{escalation.breach.value}")
    errors.print(f"{len(done)} escalations", style="dim")
