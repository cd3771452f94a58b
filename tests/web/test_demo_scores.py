"""After `leadgate demo load` a newcomer sees scored leads (SQLite and PostgreSQL).

The demo's model is trained on the demo's closed leads, ranks the newest of
them well enough to be published, learned the signal the demo planted (not
noise), and every open lead carries a score, grade and reasons: on the lead
API, in the "My open leads scored" view and on the lead page. One test per
database: loading the demo is the expensive part, so it is loaded once.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from leadgate.cli.demo import DEMO_PASSWORD, load_demo
from leadgate.cli.demo_leads import LEAD_FATES
from leadgate.cli.demo_scoring import DEMO_MODEL
from leadgate.scoring.metrics import PUBLISH_MIN_AUC
from leadgate.scoring.models import DEFAULT_BANDS
from leadgate.scoring.scorer import grade_for
from leadgate.security.models import User
from leadgate.security.service import issue_token
from tests.factories import Api
from tests.web.conftest import csrf_of, sign_in

# The fields the demo's lead profiles differ in (demo_leads): what the model should learn.
PLANTED = {
    "Source",
    "Budget status",
    "Purchase timeframe",
    "Need",
    "Decision maker",
    "Job title",
    "Email domain",
    "Activities",
    "Days since last activity",
    "Employees",
    "Annual revenue",
    "Filled-in fields",
}
OPEN = LEAD_FATES["contacted"] + LEAD_FATES["new"]
CLOSED = LEAD_FATES["qualified"] + LEAD_FATES["disqualified"]


def _leads(api: Api, **params: Any) -> list[dict[str, Any]]:
    response = api.get("/api/v1/leads", params={"limit": 500, **params})
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["next_cursor"] is None
    return list(page["items"])


def test_the_demo_publishes_a_model_that_scores_every_open_lead(
    web_app: FastAPI, session_factory: sessionmaker[Session]
) -> None:
    with session_factory() as session, session.begin():
        loaded = load_demo(session)
        user = session.scalars(select(User).where(User.email == "admin@leadgate.example")).one()
        _, token = issue_token(session, None, user, "test", 1)
    assert loaded is not None
    with TestClient(web_app, raise_server_exceptions=False) as client:
        admin = Api(client, token, user.id)

        [model] = admin.get("/api/v1/scoring-models").json()
        assert model["name"] == DEMO_MODEL
        [summary] = model["versions"]
        assert summary["is_published"]
        assert summary["ready_to_publish"]
        version = admin.get(f"/api/v1/scoring-models/{model['id']}/versions/{summary['id']}")
        metrics = version.json()["metrics"]
        # Trained on every closed lead, measured on the newest 20 % of them.
        assert metrics["split"] == "ordered"
        assert (metrics["n_rows"], metrics["qualified"]) == (CLOSED, LEAD_FATES["qualified"])
        assert metrics["auc"] >= PUBLISH_MIN_AUC
        # What the model leans on most is a planted signal, not a noise field.
        assert metrics["field_importance"][0]["field"] in PLANTED
        assert (
            f"AUC {metrics['auc']:.2f} on the newest 20 % of closed leads: "
            f"published, {OPEN} open leads scored" in loaded.scoring
        )

        scored = _leads(admin, state="open", sort="-score")
        assert len(scored) == OPEN
        for lead in scored:
            assert 0 <= lead["score"] <= 100
            assert lead["grade"] == grade_for(lead["score"], DEFAULT_BANDS)
            assert lead["score_trend"] == "not_enough_info"  # a first score
            reasons = lead["score_reasons"]
            assert (reasons["model"], reasons["version"]) == (DEMO_MODEL, 1)
            assert reasons["positive"] or reasons["negative"]
        scores = [lead["score"] for lead in scored]
        assert scores == sorted(scores, reverse=True)
        # The open leads are a mix of promising and weak ones: every grade shows up.
        assert {lead["grade"] for lead in scored} == {"A", "B", "C", "D"}
        best, worst = scored[0]["score_reasons"], scored[-1]["score_reasons"]
        assert best["positive"][0]["field"] in PLANTED
        assert worst["negative"][0]["field"] in PLANTED
        for state in ("qualified", "disqualified"):
            assert {lead["score"] for lead in _leads(admin, state=state)} == {None}

    # A salesperson of the demo sees their own open leads scored, best first, and the score
    # with its reasons on the lead page.
    with TestClient(web_app, raise_server_exceptions=False) as client:
        assert sign_in(client, "sam@leadgate.example", DEMO_PASSWORD).status_code == 303
        csrf_of(client.get("/").text)
        view = client.get("/leads?view=my_open_scored").text
        shown = re.findall(r'<span class="score">(\d+)</span>', view)
        assert shown, view
        assert [int(s) for s in shown] == sorted((int(s) for s in shown), reverse=True)
        first = re.search(r'<a href="(/leads/[0-9a-f-]{36})">', view)
        assert first is not None
        page = client.get(first.group(1)).text
        assert f'data-testid="lead-score">{shown[0]}<' in page
        assert "Raises the score" in page or "Lowers the score" in page
        assert f"Model {DEMO_MODEL} v1" in page
