"""The flows' "lines present" step reads the opportunity's real product lines."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from leadgate.opportunities.models import Opportunity
from leadgate.processes.records import read_fields
from tests.factories import Api
from tests.sales import account, catalog, opportunity


def test_lines_present_follows_the_opportunitys_lines(admin: Api, db: Session) -> None:
    cat = catalog(admin)
    opp = opportunity(admin, account(admin)["id"], price_list_id=cat.price_list_id)
    record = db.get(Opportunity, uuid.UUID(opp["id"]))
    assert record is not None
    assert read_fields(db, record, "opportunity", ["has_lines"]) == {"has_lines": None}
    lines = f"/api/v1/opportunities/{opp['id']}/lines"
    line = admin.create(lines, {"product_id": cat.product_id, "quantity": "2"})
    assert read_fields(db, record, "opportunity", ["has_lines"]) == {"has_lines": True}
    # With its only line removed the opportunity has a total again but no lines.
    assert admin.delete(f"{lines}/{line['id']}").status_code == 204
    db.refresh(record)
    assert read_fields(db, record, "opportunity", ["has_lines"]) == {"has_lines": None}
