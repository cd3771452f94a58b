"""Duplicate rules, 409 on save, merge and undo through the API."""

from __future__ import annotations

from typing import Any

from leadgate.security.roles import Role
from tests.factories import Api, lead_body


def test_create_answers_409_with_the_matches_unless_told_to_ignore(admin: Api) -> None:
    first = admin.create("/api/v1/leads", lead_body(email="ada@engines.example"))
    again = admin.post("/api/v1/leads", lead_body(email="ADA@engines.example"))
    assert again.status_code == 409
    problem = again.json()
    assert problem["code"] == "duplicates_found"
    assert problem["matches"][0]["id"] == first["id"]
    assert problem["matches"][0]["rules"] == ["Leads with the same email"]
    listed = admin.get("/api/v1/leads", params={"q": "ada@engines"}).json()
    assert listed["count"] == 1  # the refused save wrote nothing
    by_query = admin.post(
        "/api/v1/leads?ignore_duplicates=true", lead_body(email="ada@engines.example")
    )
    assert by_query.status_code == 201
    by_header = admin.post(
        "/api/v1/leads",
        lead_body(email="ada@engines.example"),
        headers={"X-Ignore-Duplicates": "true"},
    )
    assert by_header.status_code == 201


def test_update_into_a_duplicate_is_refused(admin: Api) -> None:
    admin.create("/api/v1/accounts", {"name": "Acme, Inc."})
    other = admin.create("/api/v1/accounts", {"name": "Globex"})
    url = f"/api/v1/accounts/{other['id']}"
    refused = admin.patch(url, {"name": "ACME"}, etag='"1"')
    assert refused.status_code == 409, refused.text
    assert admin.get(url).json()["name"] == "Globex"
    ok = admin.client.patch(
        url + "?ignore_duplicates=1",
        json={"name": "ACME"},
        headers={"Authorization": f"Bearer {admin.token}", "If-Match": '"1"'},
    )
    assert ok.status_code == 200, ok.text


def _rule(name: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "base": "contact",
        "match": "contact",
        "criteria": [{"field": "last_name", "operator": "first_n", "n": 4}],
        **extra,
    }


def test_rules_are_validated_and_at_most_five_are_published(admin: Api) -> None:
    bad = admin.post("/api/v1/duplicate-rules", {**_rule("x"), "criteria": [
        {"field": "shoe_size", "operator": "exact"}]})  # fmt: skip
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "criteria.0.field"
    ids = [admin.create("/api/v1/duplicate-rules", _rule(f"r{i}"))["id"] for i in range(4)]
    # Two contact rules ship published: two more reach the limit of five... and one more fails.
    for rule_id in ids[:3]:
        assert admin.post(f"/api/v1/duplicate-rules/{rule_id}/publish").status_code == 200
    over = admin.post(f"/api/v1/duplicate-rules/{ids[3]}/publish")
    assert over.status_code == 409
    assert "5 published" in over.json()["detail"]
    assert admin.post(f"/api/v1/duplicate-rules/{ids[0]}/unpublish").status_code == 200
    assert admin.post(f"/api/v1/duplicate-rules/{ids[3]}/publish").status_code == 200


def test_published_rule_indexes_existing_records(admin: Api) -> None:
    a = admin.create("/api/v1/contacts", {"last_name": "Lovelace", "first_name": "Ada"})
    rule = admin.create("/api/v1/duplicate-rules", _rule("same start"))
    b = admin.create("/api/v1/contacts", {"last_name": "Lovegood", "first_name": "Luna"})
    assert admin.get(f"/api/v1/duplicates/contact/{b['id']}").json() == []
    admin.post(f"/api/v1/duplicate-rules/{rule['id']}/publish")
    found = admin.get(f"/api/v1/duplicates/contact/{b['id']}").json()
    assert [f["id"] for f in found] == [a["id"]]


def test_salesperson_may_not_edit_rules(api_as) -> None:  # type: ignore[no-untyped-def]
    seller = api_as(Role.SALESPERSON)
    assert seller.post("/api/v1/duplicate-rules", _rule("mine")).status_code == 403
    assert seller.get("/api/v1/duplicate-rules").status_code == 200


def test_merge_moves_children_and_undo_moves_them_back(admin: Api) -> None:
    master = admin.create("/api/v1/accounts", {"name": "Initech"})
    other = admin.post(
        "/api/v1/accounts?ignore_duplicates=true",
        {"name": "Initech LLC", "phone": "+1 512 555 0100", "website": "initech.example"},
    ).json()
    contact = admin.create("/api/v1/contacts", {"last_name": "Lumbergh", "account_id": other["id"]})
    note = admin.create(
        "/api/v1/notes", {"text": "TPS", "regarding_type": "account", "regarding_id": other["id"]}
    )
    merged = admin.post(
        "/api/v1/merges",
        {"record_type": "account", "master_id": master["id"], "other_id": other["id"],
         "prefer_other": ["name"]},
    )  # fmt: skip
    assert merged.status_code == 201, merged.text
    body = merged.json()
    assert len(body["moved"]) == 2
    now = admin.get(f"/api/v1/accounts/{master['id']}").json()
    assert now["name"] == "Initech LLC"
    assert now["phone"] == "+1 512 555 0100"  # a blank of the master filled
    assert admin.get(f"/api/v1/contacts/{contact['id']}").json()["account_id"] == master["id"]
    assert admin.get(f"/api/v1/notes/{note['id']}").json()["regarding_id"] == master["id"]
    assert admin.get(f"/api/v1/accounts/{other['id']}").status_code == 404
    undone = admin.post(f"/api/v1/merges/{body['id']}/undo")
    assert undone.status_code == 200, undone.text
    back = admin.get(f"/api/v1/accounts/{master['id']}").json()
    assert (back["name"], back["phone"]) == ("Initech", None)
    restored = admin.get(f"/api/v1/accounts/{other['id']}").json()
    assert restored["merged_into_id"] is None
    assert admin.get(f"/api/v1/contacts/{contact['id']}").json()["account_id"] == other["id"]
    assert admin.get(f"/api/v1/notes/{note['id']}").json()["regarding_id"] == other["id"]
    assert admin.post(f"/api/v1/merges/{body['id']}/undo").status_code == 409


def test_merge_refuses_bad_input(admin: Api) -> None:
    a = admin.create("/api/v1/leads", lead_body())
    same = admin.post(
        "/api/v1/merges", {"record_type": "lead", "master_id": a["id"], "other_id": a["id"]}
    )
    assert same.status_code == 422
    b = admin.create("/api/v1/leads", lead_body())
    bad_field = admin.post(
        "/api/v1/merges",
        {"record_type": "lead", "master_id": a["id"], "other_id": b["id"],
         "prefer_other": ["state"]},
    )  # fmt: skip
    assert bad_field.status_code == 422
    assert bad_field.json()["errors"][0]["field"] == "prefer_other.0"


def test_editing_an_unrelated_field_of_a_known_duplicate_is_not_blocked(admin: Api) -> None:
    admin.create("/api/v1/leads", lead_body(email="twin@x.example"))
    twin = admin.post("/api/v1/leads?ignore_duplicates=true", lead_body(email="twin@x.example"))
    url = f"/api/v1/leads/{twin.json()['id']}"
    assert admin.patch(url, {"rating": "cold"}, etag='"1"').status_code == 200
    moved = admin.patch(url, {"email": "TWIN@x.example"}, etag='"2"')
    assert moved.status_code == 409
    assert moved.json()["code"] == "duplicates_found"
