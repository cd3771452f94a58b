"""Every from → to pair of every transition table: allowed moves succeed, the rest
raise InvalidTransition naming the moves that are allowed."""

from __future__ import annotations

import pytest

from leadgate.activities import states as activity
from leadgate.core.errors import InvalidTransition
from leadgate.leads import states as lead
from leadgate.opportunities import states as opportunity

TABLES = [
    pytest.param(lead, lead.LeadState, id="lead"),
    pytest.param(opportunity, opportunity.OpportunityState, id="opportunity"),
    pytest.param(activity, activity.ActivityState, id="activity"),
]


def _pairs() -> list[object]:
    cases = []
    for module, states in (
        (lead, lead.LeadState),
        (opportunity, opportunity.OpportunityState),
        (activity, activity.ActivityState),
    ):
        for name in module.TRANSITIONS:
            for state in states:
                cases.append(
                    pytest.param(
                        module,
                        name,
                        state,
                        id=f"{module.__name__.split('.')[1]}-{name}-from-{state.value}",
                    )
                )
    return cases


@pytest.mark.parametrize(("module", "name", "state"), _pairs())
def test_every_transition_from_every_state(module, name, state) -> None:  # type: ignore[no-untyped-def]
    transition = module.TRANSITIONS[name]
    if state in transition.sources:
        assert module.check_transition(name, state) is transition
        assert name in module.allowed_moves(state)
    else:
        with pytest.raises(InvalidTransition) as refused:
            module.check_transition(name, state)
        assert refused.value.allowed == module.allowed_moves(state)
        assert name not in refused.value.allowed
        assert refused.value.state == state.value


@pytest.mark.parametrize(("module", "states"), TABLES)
def test_every_target_state_has_a_default_status(module, states) -> None:  # type: ignore[no-untyped-def]
    for transition in module.TRANSITIONS.values():
        assert transition.target in states
        statuses = module.STATUSES[transition.target]
        assert statuses, f"{transition.name} leads to a state without statuses"


def test_lead_table_matches_the_domain() -> None:
    assert lead.allowed_moves(lead.LeadState.OPEN) == ["disqualify", "mark_contacted", "qualify"]
    assert lead.allowed_moves(lead.LeadState.QUALIFIED) == ["reactivate"]
    assert lead.allowed_moves(lead.LeadState.DISQUALIFIED) == ["reactivate"]
    assert lead.TRANSITIONS["reactivate"].status(None) == "new"
    assert lead.TRANSITIONS["disqualify"].status("cannot_contact") == "cannot_contact"


def test_opportunity_table_matches_the_domain() -> None:
    assert opportunity.allowed_moves(opportunity.OpportunityState.WON) == ["reopen"]
    assert opportunity.allowed_moves(opportunity.OpportunityState.LOST) == ["reopen"]
    assert "win" in opportunity.allowed_moves(opportunity.OpportunityState.OPEN)
    assert opportunity.TRANSITIONS["lose"].status("out_sold") == "out_sold"


def test_a_status_outside_the_target_state_is_refused() -> None:
    from leadgate.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        lead.TRANSITIONS["disqualify"].status("qualified")
    with pytest.raises(ValidationFailed):
        opportunity.TRANSITIONS["lose"].status("won")
