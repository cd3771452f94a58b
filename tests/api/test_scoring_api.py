"""/api/v1/scoring-models: admin writes, managers read, honest errors; scores on the lead API."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from leadgate.security.roles import Role
from tests.factories import Api, actor, lead_body
from tests.integration.scoring.closed_leads import FIELDS, seed_closed

URL = "/api/v1/scoring-models"


def _seed(session_factory: sessionmaker[Session], **kw: int) -> None:
    with session_factory() as session, session.begin():
        seed_closed(session, actor(session), **kw)


def test_roles_admin_writes_manager_reads(api_as) -> None:  # type: ignore[no-untyped-def]
    admin: Api = api_as(Role.SYSTEM_ADMINISTRATOR)
    manager: Api = api_as(Role.SALES_MANAGER)
    seller: Api = api_as(Role.SALESPERSON)
    created = admin.post(URL, {"name": "Everyone", "fields": FIELDS})
    assert created.status_code == 201, created.text
    body = created.json()
    assert created.headers["ETag"] == '"1"'
    assert body["grade_bands"] == {"A": 70, "B": 45, "C": 20}
    assert body["training_months"] == 24
    assert manager.get(f"{URL}/{body['id']}").status_code == 200
    assert [m["name"] for m in manager.get(URL).json()] == ["Everyone"]
    assert manager.post(URL, {"name": "Mine"}).status_code == 403
    assert manager.post(f"{URL}/{body['id']}/train").status_code == 403
    assert seller.get(URL).status_code == 403
    assert seller.get(f"{URL}/{body['id']}").status_code == 404
    fields = manager.get(f"{URL}/fields").json()
    assert fields["fields"]["lead_source"] == "Source"


def test_bad_definitions_are_422_naming_the_field(admin: Api) -> None:
    cases = [
        ({"name": "x", "fields": ["lead_source", "fax"]}, "fields"),
        ({"name": "x", "training_months": 2}, "training_months"),
        ({"name": "x", "training_months": 25}, "training_months"),
        ({"name": "x", "grade_bands": {"A": 40, "B": 50, "C": 10}}, "grade_bands"),
        ({"name": "x", "filter": {"password": "x"}}, "filter"),
        ({"name": ""}, "name"),
        ({"name": "x", "colour": "red"}, "colour"),
    ]
    for body, field in cases:
        response = admin.post(URL, body)
        assert response.status_code == 422, (body, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert field in response.text
    admin.create(URL, {"name": "Taken"})
    duplicate = admin.post(URL, {"name": "Taken"})
    assert duplicate.status_code == 422
    assert duplicate.json()["errors"][0]["field"] == "name"


def test_at_most_ten_models(admin: Api) -> None:
    for i in range(10):
        admin.create(URL, {"name": f"Model {i}"})
    eleventh = admin.post(URL, {"name": "Model 10"})
    assert eleventh.status_code == 409
    assert "at most 10" in eleventh.json()["detail"]


def test_update_needs_the_current_etag(admin: Api) -> None:
    model = admin.create(URL, {"name": "Banks", "filter": {"industry": "Banking"}})
    url = f"{URL}/{model['id']}"
    assert admin.patch(url, {"training_months": 6}).status_code == 428
    ok = admin.patch(url, {"training_months": 6}, etag='"1"')
    assert ok.status_code == 200, ok.text
    assert ok.json()["training_months"] == 6
    assert admin.patch(url, {"training_months": 12}, etag='"1"').status_code == 412
    assert admin.patch(url, {"fields": None}, etag='"2"').status_code == 422
    assert admin.delete(url, etag='"2"').status_code == 204
    assert admin.get(url).status_code == 404


def test_too_few_closed_leads_is_a_clear_409(admin: Api, session_factory) -> None:  # type: ignore[no-untyped-def]
    _seed(session_factory, qualified=12, disqualified=50)
    model = admin.create(URL, {"name": "Everyone", "fields": FIELDS})
    response = admin.post(f"{URL}/{model['id']}/train?inline=true")
    assert response.status_code == 409
    assert "needs 28 more qualified leads" in response.json()["detail"]
    assert admin.get(f"{URL}/{model['id']}").json()["versions"] == []


def test_train_publish_then_leads_are_scored_on_save(admin: Api, session_factory) -> None:  # type: ignore[no-untyped-def]
    _seed(session_factory, n=200)
    model = admin.create(URL, {"name": "Everyone", "fields": FIELDS})
    trained = admin.post(f"{URL}/{model['id']}/train?inline=true")
    assert trained.status_code == 201, trained.text
    version = trained.json()
    metrics = version["metrics"]
    for key in ("auc", "accuracy", "precision", "recall", "f1", "log_loss", "brier", "ece"):
        assert isinstance(metrics[key], float), key
    assert set(metrics["confusion_matrix"]) == {"tp", "fp", "fn", "tn"}
    assert len(metrics["reliability"]) == 10
    assert metrics["ready_to_publish"] is True
    assert version["is_published"] is False
    versions_url = f"{URL}/{model['id']}/versions/{version['id']}"
    assert admin.get(versions_url).json()["metrics"]["auc"] == metrics["auc"]

    published = admin.post(f"{versions_url}/publish")
    assert published.status_code == 200, published.text
    assert published.json()["is_published"] is True
    again = admin.post(f"{versions_url}/publish")
    assert again.status_code == 409

    lead = admin.post("/api/v1/leads", lead_body(lead_source="web", email="a@gmail.com"))
    assert lead.status_code == 201
    body = lead.json()
    assert 0 <= body["score"] <= 100
    assert body["grade"] in {"A", "B", "C", "D"}
    assert body["score_trend"] == "not_enough_info"
    assert body["score_reasons"]["version"] == 1
    assert lead.headers["ETag"] == '"1"'
    changed = admin.patch(
        f"/api/v1/leads/{body['id']}", {"lead_source": "partner"}, etag=lead.headers["ETag"]
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["score"] > body["score"]
    assert changed.json()["score_trend"] == "improving"
    assert changed.headers["ETag"] == '"2"'
    ranked = admin.get("/api/v1/leads", params={"sort": "-score", "state": "open"}).json()
    assert ranked["items"][0]["id"] == body["id"]

    rescored = admin.post(f"{URL}/{model['id']}/rescore")
    assert rescored.json() == {"scored": 1}
    assert admin.delete(versions_url).status_code == 409
    assert admin.post(f"{URL}/{model['id']}/revert").status_code == 409
