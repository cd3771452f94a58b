"""Every transition of flows and instances from every state, against the tables."""

from __future__ import annotations

import pytest

from leadgate.core.errors import InvalidTransition
from leadgate.processes.states import (
    FLOW_TRANSITIONS,
    INSTANCE_TRANSITIONS,
    FlowStatus,
    InstanceState,
    check_flow,
    check_instance,
    instance_moves,
)

INSTANCE_ALLOWED = {
    ("next_stage", InstanceState.ACTIVE): InstanceState.ACTIVE,
    ("previous_stage", InstanceState.ACTIVE): InstanceState.ACTIVE,
    ("finish", InstanceState.ACTIVE): InstanceState.FINISHED,
    ("abandon", InstanceState.ACTIVE): InstanceState.ABORTED,
    ("reactivate", InstanceState.FINISHED): InstanceState.ACTIVE,
    ("reactivate", InstanceState.ABORTED): InstanceState.ACTIVE,
}
FLOW_ALLOWED = {
    ("activate", FlowStatus.DRAFT): FlowStatus.ACTIVE,
    ("deactivate", FlowStatus.ACTIVE): FlowStatus.DRAFT,
}


@pytest.mark.parametrize("state", list(InstanceState))
@pytest.mark.parametrize("name", sorted(INSTANCE_TRANSITIONS))
def test_instance_transitions(name: str, state: InstanceState) -> None:
    expected = INSTANCE_ALLOWED.get((name, state))
    if expected is None:
        with pytest.raises(InvalidTransition) as refused:
            check_instance(name, state)
        assert refused.value.allowed == instance_moves(state)
        assert refused.value.state == state.value
    else:
        assert check_instance(name, state) is expected


@pytest.mark.parametrize("status", list(FlowStatus))
@pytest.mark.parametrize("name", sorted(FLOW_TRANSITIONS))
def test_flow_transitions(name: str, status: FlowStatus) -> None:
    expected = FLOW_ALLOWED.get((name, status))
    if expected is None:
        with pytest.raises(InvalidTransition):
            check_flow(name, status)
    else:
        assert check_flow(name, status) is expected


def test_finished_and_aborted_only_reactivate() -> None:
    assert instance_moves(InstanceState.FINISHED) == ["reactivate"]
    assert instance_moves(InstanceState.ABORTED) == ["reactivate"]
