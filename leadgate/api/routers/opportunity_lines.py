"""/api/v1/opportunities/{id}/lines: product lines of an opportunity (its total_amount
follows them)."""

from __future__ import annotations

from fastapi import APIRouter

from leadgate.api.routers.document_lines import add_line_routes
from leadgate.opportunities.lines import OPPORTUNITY_LINES

router = APIRouter(prefix="/opportunities", tags=["opportunities"])
add_line_routes(router, OPPORTUNITY_LINES)
