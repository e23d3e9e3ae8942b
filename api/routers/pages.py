"""The pages: planner map, war-room board, field-worker upload, citizen status, sign-in.

Each page is a static HTML file in ``api/web/pages`` whose script calls the API. The page's
role is checked here with the same module as every endpoint (``geosvc.accounts.roles``): a
visitor without it is sent to ``/login`` and comes back after signing in.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from api.auth import PrincipalDep
from geosvc.accounts.roles import Role
from geosvc.errors import NotFoundError

WEB = Path(__file__).resolve().parents[1] / "web"
PAGES = WEB / "pages"

# Page name -> the role it needs.
PAGE_ROLES: dict[str, Role] = {
    "planner": Role.PLANNER,
    "warroom": Role.WARROOM,
    "upload": Role.CDW,
    "status": Role.PUBLIC,
    "login": Role.PUBLIC,
}

router = APIRouter(tags=["pages"], include_in_schema=False)


@lru_cache
def _page_html(name: str) -> str:
    path = PAGES / f"{name}.html"
    if not path.is_file():
        raise NotFoundError(f"There is no page {name!r}.")
    return path.read_text(encoding="utf-8")


def mount_static(app: FastAPI) -> None:
    """Serve ``api/web/static`` (scripts, styles, vendored Leaflet) at ``/static``."""
    app.mount("/static", StaticFiles(directory=WEB / "static"), name="static")


def add_docs(app: FastAPI) -> None:
    """Serve the OpenAPI docs at ``/docs`` with the vendored Swagger UI (no CDN)."""

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} API",
            swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="data:,",
        )


@router.get("/", response_class=HTMLResponse)
def index() -> HTMLResponse:
    """The start page: what each page is for."""
    return HTMLResponse(_page_html("index"))


@router.get("/{name}", response_class=HTMLResponse)
def page(name: str, principal: PrincipalDep) -> Response:
    """A page, or a redirect to sign in when the visitor lacks its role."""
    needed = PAGE_ROLES.get(name)
    if needed is None:
        raise NotFoundError(f"There is no page {name!r}.")
    if not principal.has(needed):
        return RedirectResponse(f"/login?next={quote('/' + name)}&needs={needed.value}", 303)
    return HTMLResponse(_page_html(name), headers={"Cache-Control": "no-store"})
