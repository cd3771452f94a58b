"""The duplicate group transition table: every from → to pair, every named move from
every status, the guards, and the refusal naming the allowed moves."""

from __future__ import annotations

import pytest

from leadgate.core.errors import InvalidTransition
from leadgate.dedup import states
from leadgate.dedup.states import GroupStatus

OPEN, MERGED, GONE = GroupStatus.OPEN, GroupStatus.MERGED, GroupStatus.DISMISSED
# from → to → the move that does it (None: no move); GONE is dismissed.
EXPECTED = {
    (OPEN, OPEN): None, (OPEN, MERGED): "merge", (OPEN, GONE): "dismiss",
    (MERGED, OPEN): "reopen", (MERGED, MERGED): None, (MERGED, GONE): None,
    (GONE, OPEN): None, (GONE, MERGED): None, (GONE, GONE): None,
}  # fmt: skip


@pytest.mark.parametrize(
    ("source", "target"),
    [pytest.param(s, t, id=f"{s.value}-to-{t.value}") for s in GroupStatus for t in GroupStatus],
)
def test_every_from_to_pair(source: GroupStatus, target: GroupStatus) -> None:
    moves = [
        name for name, t in states.TRANSITIONS.items() if source in t.sources and t.target is target
    ]
    expected = EXPECTED[(source, target)]
    assert moves == ([expected] if expected else [])
    for name in states.TRANSITIONS:
        if states.TRANSITIONS[name].target is not target:
            continue
        if name == expected:
            assert states.check_transition(name, source).target is target
        else:
            with pytest.raises(InvalidTransition) as refused:
                states.check_transition(name, source)
            assert refused.value.state == source.value
            assert refused.value.allowed == states.allowed_moves(source)
            assert refused.value.status == 409


@pytest.mark.parametrize(
    ("name", "status"),
    [pytest.param(n, s, id=f"{n}-from-{s.value}") for n in states.TRANSITIONS for s in GroupStatus],
)
def test_the_guards_agree_with_the_table(name: str, status: GroupStatus) -> None:
    guard = getattr(states, f"can_{name}")
    assert guard(status) is (status in states.TRANSITIONS[name].sources)
    assert (name in states.allowed_moves(status)) is guard(status)


def test_a_refusal_says_what_is_allowed() -> None:
    with pytest.raises(InvalidTransition) as refused:
        states.check_transition("dismiss", GroupStatus.MERGED)
    assert refused.value.detail == "cannot dismiss a merged duplicate group"
    assert refused.value.extra() == {"state": "merged", "allowed": ["reopen"]}
    assert states.allowed_moves(GroupStatus.OPEN) == ["dismiss", "merge"]
    assert states.allowed_moves(GroupStatus.DISMISSED) == []
