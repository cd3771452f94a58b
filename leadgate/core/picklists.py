"""Option sets shared by several records (stored as lowercase snake_case codes)."""

from __future__ import annotations

from enum import StrEnum


class LeadSource(StrEnum):
    ADVERTISEMENT = "advertisement"
    EMPLOYEE_REFERRAL = "employee_referral"
    EXTERNAL_REFERRAL = "external_referral"
    PARTNER = "partner"
    PUBLIC_RELATIONS = "public_relations"
    SEMINAR = "seminar"
    TRADE_SHOW = "trade_show"
    WEB = "web"
    WORD_OF_MOUTH = "word_of_mouth"
    OTHER = "other"


class Rating(StrEnum):
    HOT = "hot"
    WARM = "warm"
    COLD = "cold"


class PurchaseTimeframe(StrEnum):
    IMMEDIATE = "immediate"
    THIS_QUARTER = "this_quarter"
    NEXT_QUARTER = "next_quarter"
    THIS_YEAR = "this_year"
    UNKNOWN = "unknown"


class PurchaseProcess(StrEnum):
    INDIVIDUAL = "individual"
    COMMITTEE = "committee"
    UNKNOWN = "unknown"


class Need(StrEnum):
    MUST_HAVE = "must_have"
    SHOULD_HAVE = "should_have"
    GOOD_TO_HAVE = "good_to_have"
    NO_NEED = "no_need"


class BudgetStatus(StrEnum):
    NO_COMMITTED_BUDGET = "no_committed_budget"
    MAY_BUY = "may_buy"
    CAN_BUY = "can_buy"
    WILL_BUY = "will_buy"


class RelationshipType(StrEnum):
    COMPETITOR = "competitor"
    CONSULTANT = "consultant"
    CUSTOMER = "customer"
    INVESTOR = "investor"
    PARTNER = "partner"
    INFLUENCER = "influencer"
    PRESS = "press"
    PROSPECT = "prospect"
    RESELLER = "reseller"
    SUPPLIER = "supplier"
    VENDOR = "vendor"
    OTHER = "other"


class ForecastCategory(StrEnum):
    PIPELINE = "pipeline"
    BEST_CASE = "best_case"
    COMMITTED = "committed"
    OMITTED = "omitted"
    WON = "won"
    LOST = "lost"
