"""Factories: build users, tokens and records through the real services."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy.orm import Session

from leadgate.core.settings import Settings
from leadgate.security.access import Actor
from leadgate.security.models import User
from leadgate.security.roles import Role
from leadgate.security.schemas import UserCreate
from leadgate.security.service import actor_for_user, create_user, issue_token

_seq = itertools.count(1)
PASSWORD = "correct horse battery staple"


def make_user(session: Session, role: Role, email: str | None = None) -> tuple[User, str]:
    n = next(_seq)
    user = create_user(
        session,
        None,
        UserCreate(
            email=email or f"user{n}-{uuid.uuid4().hex[:6]}@leadgate.example",
            full_name=f"User {n}",
            role=role,
            password=PASSWORD,
        ),
    )
    _, token = issue_token(session, None, user, "test", 1)
    return user, token


def actor(session: Session, role: Role = Role.SYSTEM_ADMINISTRATOR) -> Actor:
    user, _ = make_user(session, role)
    return actor_for_user(user, "api")


@dataclass
class Api:
    """A signed-in API client."""

    client: TestClient
    token: str
    user_id: uuid.UUID

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **(extra or {})}

    def get(self, url: str, **kw: Any) -> Response:
        return self.client.get(url, headers=self._headers(kw.pop("headers", None)), **kw)

    def post(self, url: str, json: Any = None, **kw: Any) -> Response:
        return self.client.post(
            url, json=json, headers=self._headers(kw.pop("headers", None)), **kw
        )

    def patch(self, url: str, json: Any, etag: str | None = None, **kw: Any) -> Response:
        headers = {"If-Match": etag} if etag else {}
        return self.client.patch(url, json=json, headers=self._headers(headers), **kw)

    def delete(self, url: str, etag: str | None = None) -> Response:
        headers = {"If-Match": etag} if etag else {}
        return self.client.delete(url, headers=self._headers(headers))

    def put(self, url: str, json: Any) -> Response:
        return self.client.put(url, json=json, headers=self._headers(None))

    def action(self, url: str, json: Any = None, etag: str | None = None) -> Response:
        """POST an action (qualify, win, complete, …), optionally with If-Match."""
        headers = {"If-Match": etag} if etag else {}
        return self.client.post(url, json=json, headers=self._headers(headers))

    def create(self, url: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.post(url, body)
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]


def lead_body(**overrides: Any) -> dict[str, Any]:
    n = next(_seq)
    body = {
        "topic": f"Interested in 20 seats #{n}",
        "first_name": "Ada",
        "last_name": f"Lovelace{n}",
        "company_name": f"Analytical Engines {n} Ltd",
        "email": f"ada{n}@engines.example.com",
        "phone": f"+44 20 7946 {n % 10000:04d}",
        "country": "GB",
        "estimated_value": "12000.50",
        "lead_source": "web",
        "rating": "hot",
        "purchase_timeframe": "this_quarter",
    }
    body.update(overrides)
    return body


def account_body(**overrides: Any) -> dict[str, Any]:
    n = next(_seq)
    body: dict[str, Any] = {
        "name": f"Contoso {n} GmbH",
        "email": f"info{n}@contoso.example.com",
        "phone": "+49 30 1234567",
        "country": "DE",
        "industry": "manufacturing",
    }
    body.update(overrides)
    return body


def contact_body(**overrides: Any) -> dict[str, Any]:
    n = next(_seq)
    body: dict[str, Any] = {
        "first_name": "Grace",
        "last_name": f"Hopper{n}",
        "email": f"grace{n}@navy.example.com",
        "country": "US",
    }
    body.update(overrides)
    return body


def opportunity_body(account_id: str, **overrides: Any) -> dict[str, Any]:
    n = next(_seq)
    body: dict[str, Any] = {
        "name": f"200 seats, renewal #{n}",
        "account_id": account_id,
        "estimated_value": "50000.00",
        "probability": 40,
    }
    body.update(overrides)
    return body


def activity_body(**overrides: Any) -> dict[str, Any]:
    n = next(_seq)
    body: dict[str, Any] = {"type": "phone_call", "subject": f"Call about pricing #{n}"}
    body.update(overrides)
    return body


def note_body(regarding_type: str, regarding_id: str, **overrides: Any) -> dict[str, Any]:
    n = next(_seq)
    body: dict[str, Any] = {
        "text": f"Prefers email; decision in Q3 (#{n})",
        "regarding_type": regarding_type,
        "regarding_id": regarding_id,
    }
    body.update(overrides)
    return body


def problem_of(response: Response, status: int, code: str) -> dict[str, Any]:
    """Assert `response` is an RFC 9457 problem with this status and code; return its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json", response.headers
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["code"] == code, body
    assert body["type"].endswith(code.replace("_", "-"))
    return body


def error_fields(response: Response) -> set[str]:
    """The fields a 422 problem+json names, after checking it is one."""
    body = problem_of(response, 422, "validation_failed")
    assert body["errors"], body
    return {e["field"] for e in body["errors"]}


RECORD_URLS = {
    "lead": "/api/v1/leads",
    "opportunity": "/api/v1/opportunities",
    "account": "/api/v1/accounts",
    "contact": "/api/v1/contacts",
    "activity": "/api/v1/activities",
    "note": "/api/v1/notes",
}


def make_record(session: Session, owner: Actor, record_type: str) -> Any:
    """One record of `record_type` owned by `owner`, made through the real services
    (faster than HTTP for arranging a test; the API is what the test then exercises)."""
    from leadgate.accounts.schemas import AccountCreate
    from leadgate.accounts.service import create_account
    from leadgate.activities.schemas import ActivityCreate, NoteCreate
    from leadgate.activities.service import create_activity, create_note
    from leadgate.contacts.schemas import ContactCreate
    from leadgate.contacts.service import create_contact
    from leadgate.leads.schemas import LeadCreate
    from leadgate.leads.service import create_lead
    from leadgate.opportunities.schemas import OpportunityCreate
    from leadgate.opportunities.service import create_opportunity

    if record_type == "lead":
        return create_lead(session, owner, LeadCreate.model_validate(lead_body()))
    if record_type == "contact":
        return create_contact(session, owner, ContactCreate.model_validate(contact_body()))
    if record_type == "activity":
        return create_activity(session, owner, ActivityCreate.model_validate(activity_body()))
    account = create_account(session, owner, AccountCreate.model_validate(account_body()))
    if record_type == "account":
        return account
    if record_type == "opportunity":
        body = opportunity_body(str(account.id))
        return create_opportunity(session, owner, OpportunityCreate.model_validate(body))
    if record_type == "note":
        body = note_body("account", str(account.id))
        return create_note(session, owner, NoteCreate.model_validate(body))
    raise ValueError(record_type)


def walk_pages(api: Api, sort: str, limit: int = 10) -> tuple[list[str], list[dict[str, Any]]]:
    """Follow next_cursor through /api/v1/leads; the ids seen and the pages."""
    ids: list[str] = []
    pages: list[dict[str, Any]] = []
    params: dict[str, Any] = {"sort": sort, "limit": limit}
    while True:
        response = api.get("/api/v1/leads", params=params)
        assert response.status_code == 200, response.text
        page = response.json()
        pages.append(page)
        ids.extend(item["id"] for item in page["items"])
        if page["next_cursor"] is None:
            return ids, pages
        params["cursor"] = page["next_cursor"]
        assert len(pages) < 10, "paging does not end"


def upload_settings(tmp_path: Path) -> Settings:
    """Settings for import tests: uploads go to the test's own folder and are capped at
    64 KiB, so the size limit is reachable with small files."""
    return Settings(
        env="test",
        secret_key="x" * 32,
        database_url="sqlite://",
        import_dir=str(tmp_path / "uploads"),
        max_upload_bytes=64 * 1024,
    )
