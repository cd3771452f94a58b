"""The demo's lead plan (no database): deterministic per seed, enough closed leads of each
outcome to train on, and outcomes that follow the planted profiles."""

from __future__ import annotations

from leadgate.cli.demo_leads import LEAD_FATES, plan_leads
from leadgate.scoring.service import MIN_PER_CLASS


def test_the_plan_is_the_same_for_a_seed_and_differs_between_seeds() -> None:
    assert plan_leads(2026) == plan_leads(2026)
    assert plan_leads(2026) != plan_leads(2027)


def test_the_plan_holds_enough_closed_leads_of_each_outcome() -> None:
    fates = [plan.fate for plan in plan_leads(2026)]
    for outcome in ("qualified", "disqualified"):
        assert fates.count(outcome) == LEAD_FATES[outcome] >= 1.5 * MIN_PER_CLASS
    assert len(fates) == sum(LEAD_FATES.values())


def test_qualified_leads_look_more_promising_than_disqualified_ones() -> None:
    plans = plan_leads(2026)

    def share(fate: str, test: object) -> float:
        group = [p for p in plans if p.fate == fate]
        return sum(1 for p in group if test(p)) / len(group)  # type: ignore[operator]

    referred = {"employee_referral", "external_referral", "partner"}
    checks = {
        "referred": lambda p: p.fields["lead_source"] in referred,
        "budget": lambda p: p.fields["budget_status"] in ("can_buy", "will_buy"),
        "soon": lambda p: p.fields["purchase_timeframe"] in ("immediate", "this_quarter"),
        "decides": lambda p: p.fields["decision_maker"],
        "company mail": lambda p: p.email_domain.endswith(".example.com"),
        "worked": lambda p: p.activities >= 2,
    }
    for name, test in checks.items():
        qualified, disqualified = share("qualified", test), share("disqualified", test)
        assert qualified > disqualified + 0.15, (name, qualified, disqualified)
