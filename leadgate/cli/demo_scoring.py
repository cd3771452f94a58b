"""The demo's predictive lead scoring: a model trained on the demo's closed leads and,
when it ranks well enough to be published, scoring every open lead, so a newcomer
sees scores, grades and reasons on lead pages and lists right after `make run`.

Everything goes through the scoring use cases an administrator would call
(create, train, publish, rescore). A model that cannot be trained or published
does not stop the demo from loading: the summary line says why.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from leadgate.core.errors import DomainError
from leadgate.scoring.metrics import PUBLISH_MIN_AUC
from leadgate.scoring.schemas import ScoringModelCreate
from leadgate.scoring.service import create_model, publish, rescore, train
from leadgate.security.access import Actor

DEMO_MODEL = "Demo lead score"


def score_demo_leads(session: Session, admin: Actor) -> str:
    """Create, train and (when ready) publish the demo model; one line saying what came of it."""
    model = create_model(
        session,
        admin,
        ScoringModelCreate(
            name=DEMO_MODEL,
            description="Trained by `leadgate demo load` on the demo's closed leads.",
        ),
    )
    named = f"lead scoring: model {DEMO_MODEL!r}"
    try:
        # A savepoint: a refusal leaves the model defined and the demo data intact.
        with session.begin_nested():
            version = train(session, admin, model.id)
    except DomainError as exc:
        return f"{named} not trained: {exc.detail}"
    auc = version.metrics.get("auc")
    measured = (
        f"version {version.number} ({version.family}), "
        + (f"AUC {auc:.2f}" if auc is not None else "no AUC")
        + " on the newest 20 % of closed leads"
    )
    if not version.ready_to_publish:
        return f"{named} {measured} is below {PUBLISH_MIN_AUC}: not published, no lead scored"
    publish(session, admin, version.id)
    # Publishing scored the open leads already; this rescore (nothing changed since,
    # so nothing is rewritten) counts them.
    scored = rescore(session, admin, model.id)
    return f"{named} {measured}: published, {scored} open leads scored"
