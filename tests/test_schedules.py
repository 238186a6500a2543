"""Repayment schedules: textbook figures, an independent numpy-financial check, properties."""
from __future__ import annotations

import csv
import io
import json
import math
import random
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import numpy_financial as npf
import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from engine.core.money import bp_to_rate, parse_percent, round_cents
from engine.finance.schedule_render import render_csv, render_table, schedule_to_json
from engine.finance.schedules import (
    RepaymentMethod,
    Schedule,
    SchedulePeriod,
    add_months,
    annual_percentage_rate,
    build_schedule,
    on_demand_interest,
    parse_method,
)

D = Decimal
EI = RepaymentMethod.equal_installment
EP = RepaymentMethod.equal_principal
IO = RepaymentMethod.interest_only
OD = RepaymentMethod.on_demand
MILLION = D("1000000")
RATE_49 = D("0.049")

# Loans: whole cents from 0.01 to 100 million yuan; rates in 1/100 bp steps below 100 %;
# terms 1..600 months.
principals = st.integers(min_value=1, max_value=10_000_000_000).map(lambda c: D(c).scaleb(-2))
rates = st.one_of(
    st.just(D(0)),
    st.integers(min_value=1, max_value=3_600).map(bp_to_rate),  # 0.01 % .. 36 %
    st.integers(min_value=0, max_value=999_999).map(lambda x: D(x).scaleb(-6)),
)
terms = st.integers(min_value=1, max_value=600)
start_dates = st.one_of(st.none(), st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)))
methods = st.sampled_from(list(RepaymentMethod))

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def money_fields(row: SchedulePeriod) -> list[Decimal]:
    return [row.payment, row.principal, row.interest, row.balance]


# --------------------------------------------------------------------------- textbook figures


def test_textbook_equal_installment_million_30y_49():
    s = build_schedule(MILLION, RATE_49, 360, EI)
    assert len(s.periods) == 360
    assert {row.payment for row in s.periods[:359]} == {D("5307.27")}
    first = s.periods[0]
    assert (first.interest, first.principal, first.balance) == (
        D("4083.33"),
        D("1223.94"),
        D("998776.06"),
    )
    last = s.periods[-1]
    assert last.balance == D("0.00")
    assert last.principal == s.periods[-2].balance
    assert last.payment == last.principal + last.interest
    assert sum(row.principal for row in s.periods) == MILLION
    assert s.total_payment == s.total_interest + MILLION
    assert s.total_payment == sum(row.payment for row in s.periods)
    # 359 × 5307.27 + the adjusted last payment
    assert s.total_payment == 359 * D("5307.27") + last.payment


def test_textbook_equal_principal_million_30y_49():
    s = build_schedule(MILLION, RATE_49, 360, EP)
    first = s.periods[0]
    assert first.principal == D("2777.78")
    assert first.interest == D("4083.33")
    assert first.payment == D("6861.11")
    assert {row.principal for row in s.periods[:359]} == {D("2777.78")}
    # 359 × 2777.78 = 997,223.02 repaid, the last period repays the remaining 2,776.98
    assert s.periods[-1].principal == MILLION - 359 * D("2777.78") == D("2776.98")
    # payments fall every month by (about) 2777.78 × 4.9 % / 12 ≈ 11.34
    drops = {a.payment - b.payment for a, b in zip(s.periods[:358], s.periods[1:359])}
    assert drops <= {D("11.34"), D("11.35")}
    # Σ interest ≈ P·r·(n+1)/2 = 737,041.67; per-period rounding moves it by cents only
    assert abs(s.total_interest - D("737041.67")) < D("1.00")


def test_interest_only_textbook():
    s = build_schedule(MILLION, RATE_49, 12, IO)
    assert all(row.principal == 0 and row.payment == D("4083.33") for row in s.periods[:11])
    assert s.periods[-1].principal == MILLION
    assert s.periods[-1].payment == D("1004083.33")
    assert s.total_interest == 12 * D("4083.33")


def test_exact_half_cent_installment_is_rounded_up():
    # r = 1 %/12, n = 2: exact installment 14,406 × 1201² / (1200 × 2401) = 7,212.005.
    s = build_schedule(D("14406.00"), D("0.01"), 2, EI)
    assert [row.payment for row in s.periods] == [D("7212.01"), D("7212.01")]
    # interest ties too: 14,406 × 0.01 / 12 = 12.005 -> 12.01; 7,206 × 0.01 / 12 = 6.005 -> 6.01
    assert [row.interest for row in s.periods] == [D("12.01"), D("6.01")]
    assert [row.principal for row in s.periods] == [D("7200.00"), D("7206.00")]


def test_zero_rate_splits_principal_evenly():
    s = build_schedule(D("1000.00"), D(0), 3, EI)
    assert [row.payment for row in s.periods] == [D("333.33"), D("333.33"), D("333.34")]
    assert s.total_interest == D("0.00")


def test_tiny_loan_never_goes_negative():
    # 3.00 / 600 = 0.005 rounds up to 0.01: repaid after 300 months, then zero rows.
    s = build_schedule(D("3.00"), D(0), 600, EP)
    assert s.periods[299].balance == D("0.00")
    assert all(row.payment == 0 and row.balance == 0 for row in s.periods[300:])
    assert sum(row.principal for row in s.periods) == D("3.00")


def test_accepts_percent_and_basis_point_helpers():
    a = build_schedule(MILLION, parse_percent("4.9%"), 360, EI)
    b = build_schedule(MILLION, bp_to_rate(490), 360, EI)
    assert a.periods == b.periods


# --------------------------------------------------------------------------- due dates


def test_due_dates_clamp_to_month_end():
    s = build_schedule(D("1200.00"), RATE_49, 4, EI, start_date=date(2024, 1, 31))
    assert [row.due_date for row in s.periods] == [
        date(2024, 2, 29),
        date(2024, 3, 31),
        date(2024, 4, 30),
        date(2024, 5, 31),
    ]
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2025, 11, 15), 3) == date(2026, 2, 15)
    assert add_months(date(2025, 12, 31), 12) == date(2026, 12, 31)


def test_no_start_date_means_no_due_dates():
    s = build_schedule(D("1200.00"), RATE_49, 3, EP)
    assert [row.due_date for row in s.periods] == [None, None, None]


# --------------------------------------------------------------------------- independent check


def _assert_matches_numpy_financial(p: Decimal, annual: Decimal, n: int) -> None:
    s = build_schedule(p, annual, n, EI)
    r = float(annual) / 12
    pmt = float(-npf.pmt(r, n, float(p)))
    # Skip the (rare) loans whose float installment sits within float noise of a half cent. The float
    # noise of (1+r)^n − 1 grows as n·r shrinks: at 0.0001 % a year numpy is off by ~1e-10 relative.
    frac = pmt * 100 - math.floor(pmt * 100)
    assume(abs(frac - 0.5) > max(1e-6, pmt * 1e-9, pmt * 100 * 1e-13 / (n * r)))
    expected = round_cents(D(repr(pmt)))
    assert s.periods[0].payment == expected or n == 1 or s.periods[0].balance == 0
    assert sum(row.principal for row in s.periods) == p
    assert s.periods[-1].balance == D("0.00")
    previous = p
    for row in s.periods[:-1]:
        # the installment is paid in full unless it would overpay a tiny loan (then capped)
        assert row.payment == expected or (row.principal == previous and row.balance == 0)
        previous = row.balance

    # Cent-exact amortisation stays within its provable distance of the exact one:
    # |B_k − T_k| ≤ 0.01 · k · (1+r)^k (installment and interest rounding ≤ 0.005 each).
    per = np.arange(1, n + 1)
    ppmt = -npf.ppmt(r, per, n, float(p))
    ipmt = -npf.ipmt(r, per, n, float(p))
    theory_balance = float(p) - np.cumsum(ppmt)
    slack = 1e-9 * float(p) + 1e-6
    previous_gap = 0.0
    for k, row in enumerate(s.periods, start=1):
        if row.balance == 0 and k < n:
            break  # capped early repayment of a tiny loan: the bound below no longer applies
        bound = 0.01 * k * (1 + r) ** k + slack
        interest_gap = abs(float(row.interest) - ipmt[k - 1])
        assert interest_gap <= 0.005 + r * previous_gap + slack, (k, row, ipmt[k - 1])
        previous_gap = abs(float(row.balance) - theory_balance[k - 1])
        assert previous_gap <= bound, (k, row, theory_balance[k - 1])


# numpy-financial works in binary floats, which lose the small terms of (1+r)^n − 1 at
# extreme rates, so the comparison uses the rates real loans have (up to 36 % a year).
@FAST
@given(
    p=principals,
    annual=st.integers(min_value=1, max_value=360_000).map(lambda x: D(x).scaleb(-6)),
    n=terms,
)
def test_installment_matches_numpy_financial(p, annual, n):
    _assert_matches_numpy_financial(p, annual, n)


def test_installment_matches_numpy_financial_seeded_loop():
    rng = random.Random(20240917)
    for _ in range(150):
        p = D(rng.randrange(100_000, 500_000_000)).scaleb(-2) * 100  # 1,000 .. 500 million yuan
        annual = bp_to_rate(rng.randrange(1, 2_400))
        n = rng.choice([6, 12, 24, 36, 60, 120, 180, 240, 300, 360, rng.randrange(1, 601)])
        r = float(annual) / 12
        pmt = float(-npf.pmt(r, n, float(p)))
        if abs(pmt * 100 - math.floor(pmt * 100) - 0.5) < 1e-6:
            continue
        s = build_schedule(p, annual, n, EI)
        assert s.periods[0].payment == round_cents(D(repr(pmt))) or n == 1
        assert sum(row.principal for row in s.periods) == p


# --------------------------------------------------------------------------- properties


@FAST
@given(p=principals, annual=rates, n=terms, method=methods, start=start_dates)
def test_schedule_invariants(p, annual, n, method, start):
    s = build_schedule(p, annual, n, method, start_date=start)
    assert s.method is method and s.term_months == n and s.principal == p
    assert len(s.periods) == n
    assert [row.period for row in s.periods] == list(range(1, n + 1))
    assert sum(row.principal for row in s.periods) == p
    assert s.periods[-1].balance == D("0.00")
    assert s.total_interest == sum(row.interest for row in s.periods)
    assert s.total_payment == sum(row.payment for row in s.periods) == p + s.total_interest
    previous = p
    for row in s.periods:
        assert row.payment == row.principal + row.interest
        assert row.balance == previous - row.principal
        assert row.balance >= 0 and row.principal >= 0 and row.interest >= 0
        assert all(x.as_tuple().exponent == -2 for x in money_fields(row)), row
        previous = row.balance
    for x in (s.principal, s.total_interest, s.total_payment):
        assert x.as_tuple().exponent == -2
    if method in (IO, OD):
        assert all(row.principal == 0 for row in s.periods[:-1])
        assert s.periods[-1].principal == p
    if method is EP:
        part = (p / n).quantize(D("0.01"), rounding=ROUND_HALF_UP)
        previous = p
        for row in s.periods[:-1]:  # P/n rounded, capped at the balance for tiny loans
            assert row.principal == min(part, previous)
            previous = row.balance


@FAST
@given(p=principals, annual=rates, n=terms)
def test_interest_is_balance_times_monthly_rate(p, annual, n):
    s = build_schedule(p, annual, n, EI)
    previous = p
    for row in s.periods:
        # exact rational check: |interest − balance·rate/12| ≤ half a cent, ties upward
        exact = previous * annual * 100  # cents × 12
        assert abs(row.interest * 1200 - exact) <= 6
        if abs(row.interest * 1200 - exact) == 6:
            assert row.interest * 1200 > exact
        previous = row.balance


@FAST
@given(p=principals, annual=rates, n=st.integers(1, 36), start=st.dates(date(2000, 1, 1), date(2090, 1, 1)))
def test_on_demand_schedule_uses_actual_days_over_360(p, annual, n, start):
    s = build_schedule(p, annual, n, OD, start_date=start)
    previous = start
    for row in s.periods:
        days = (row.due_date - previous).days
        assert 28 <= days <= 31
        expected = (p * annual * days / D(360)).quantize(D("0.01"), rounding=ROUND_HALF_UP)
        assert row.interest == expected
        previous = row.due_date


def test_on_demand_schedule_examples():
    s = build_schedule(D("100000.00"), D("0.036"), 3, OD, start_date=date(2026, 1, 1))
    # Jan 31 days, Feb 28 days, Mar 31 days at 10 yuan a day
    assert [row.interest for row in s.periods] == [D("310.00"), D("280.00"), D("310.00")]
    assert [row.principal for row in s.periods] == [D("0.00"), D("0.00"), D("100000.00")]
    # without a start date every month counts 30 days
    s30 = build_schedule(D("100000.00"), D("0.036"), 3, OD)
    assert [row.interest for row in s30.periods] == [D("300.00")] * 3


# --------------------------------------------------------------------------- on-demand interest


def test_on_demand_interest_thirty_days():
    assert on_demand_interest([(date(2026, 1, 1), D("100000"))], D("0.036"), date(2026, 1, 31)) == D(
        "300.00"
    )


def test_on_demand_interest_partial_repayment_and_redraw():
    events = [
        (date(2026, 1, 1), D("100000.00")),  # 10 days × 100,000 -> 100.00
        (date(2026, 1, 11), D("-40000.00")),  # 20 days × 60,000 -> 120.00
        (date(2026, 1, 31), D("20000.00")),  # 10 days × 80,000 -> 80.00
    ]
    assert on_demand_interest(events, D("0.036"), date(2026, 2, 10)) == D("300.00")
    # events are taken in date order
    assert on_demand_interest(events[::-1], D("0.036"), date(2026, 2, 10)) == D("300.00")
    # full repayment stops the accrual
    closed = events[:2] + [(date(2026, 1, 21), D("-60000.00"))]
    assert on_demand_interest(closed, D("0.036"), date(2026, 12, 31)) == D("160.00")


def test_on_demand_interest_exact_half_cent_and_no_events():
    # 1.00 × 3.6 % × 50 / 360 = 0.005 exactly -> 0.01 (half up, decided exactly)
    assert on_demand_interest([(date(2026, 1, 1), D("1.00"))], D("0.036"), date(2026, 2, 20)) == D("0.01")
    assert on_demand_interest([], D("0.036"), date(2026, 1, 1)) == D("0.00")
    assert on_demand_interest([(date(2026, 1, 1), D("500"))], D("0.036"), date(2026, 1, 1)) == D("0.00")


def test_on_demand_interest_rejects_bad_events():
    with pytest.raises(ValueError, match="exceeds the outstanding balance"):
        on_demand_interest(
            [(date(2026, 1, 1), D("100")), (date(2026, 1, 2), D("-100.01"))], D("0.036"), date(2026, 2, 1)
        )
    with pytest.raises(ValueError, match="exceeds"):
        on_demand_interest([(date(2026, 1, 1), D("-1"))], D("0.036"), date(2026, 2, 1))
    with pytest.raises(ValueError, match="after the accrual end"):
        on_demand_interest([(date(2026, 3, 1), D("100"))], D("0.036"), date(2026, 2, 1))
    with pytest.raises(ValueError, match="whole cents"):
        on_demand_interest([(date(2026, 1, 1), D("100.001"))], D("0.036"), date(2026, 2, 1))
    with pytest.raises(ValueError, match="zero"):
        on_demand_interest([(date(2026, 1, 1), D("0"))], D("0.036"), date(2026, 2, 1))


@FAST
@given(
    draws=st.lists(
        st.tuples(st.integers(0, 400), st.integers(1, 10_000_000)), min_size=1, max_size=8
    ),
    annual=rates,
)
def test_on_demand_interest_is_additive_over_independent_draws(draws, annual):
    start = date(2026, 1, 1)
    until = date(2027, 3, 1)
    events = [(date.fromordinal(start.toordinal() + d), D(c).scaleb(-2)) for d, c in draws]
    total = on_demand_interest(events, annual, until)
    exact = sum(amount * (until - when).days for when, amount in events) * annual / D(360)
    assert total == exact.quantize(D("0.01"), rounding=ROUND_HALF_UP)
    assert abs(total - sum(on_demand_interest([e], annual, until) for e in events)) <= D("0.005") * len(events)


# --------------------------------------------------------------------------- APR


@pytest.mark.parametrize("method", [EI, EP, IO])
def test_apr_equals_nominal_rate_without_fees(method):
    s = build_schedule(MILLION, RATE_49, 360, method)
    assert annual_percentage_rate(s.principal, [row.payment for row in s.periods]) == D("0.049000")


def test_apr_equals_nominal_rate_for_realistic_loans():
    rng = random.Random(7)
    for _ in range(12):
        p = D(rng.randrange(100_000, 5_000_000))
        annual = bp_to_rate(rng.randrange(100, 2_400))
        n = rng.choice([12, 24, 36, 60, 120, 240, 360])
        method = rng.choice([EI, EP, IO])
        s = build_schedule(p, annual, n, method)
        apr = annual_percentage_rate(s.principal, [row.payment for row in s.periods])
        assert apr == annual.quantize(D("0.000001")), (p, annual, n, method)


def test_apr_rises_with_a_fee_and_matches_numpy_financial():
    s = build_schedule(MILLION, RATE_49, 360, EI)
    payments = [row.payment for row in s.periods]
    apr = annual_percentage_rate(MILLION - D("10000"), payments)
    assert apr > D("0.049")
    assert apr.as_tuple().exponent == -6
    # independent float reference (level payment; the small last-period adjustment is ignored)
    reference = 12 * npf.rate(360, -5307.27, 990000.0, 0.0)
    assert abs(float(apr) - reference) < 2e-6
    assert apr == D("0.049880")


def test_apr_zero_and_negative_rates_and_validation():
    assert annual_percentage_rate(D("1200"), [D("100")] * 12) == D("0.000000")
    assert annual_percentage_rate(D("1300"), [D("100")] * 12) < 0
    with pytest.raises(ValueError):
        annual_percentage_rate(D("0"), [D("100")])
    with pytest.raises(ValueError):
        annual_percentage_rate(D("100"), [])
    with pytest.raises(ValueError):
        annual_percentage_rate(D("100"), [D("0"), D("0")])
    with pytest.raises(ValueError):
        annual_percentage_rate(D("100"), [D("-1"), D("200")])


# --------------------------------------------------------------------------- parsing and validation


@pytest.mark.parametrize(
    ("text", "method"),
    [
        ("equal-installment", EI),
        ("equal_installment", EI),
        ("Equal Installment", EI),
        ("等额本息", EI),
        ("equal-principal", EP),
        ("等额本金", EP),
        ("interest-only", IO),
        ("按月付息到期还本", IO),
        ("先息后本", IO),
        ("on_demand", OD),
        ("on-demand", OD),
        (" 随借随还 ", OD),
    ],
)
def test_parse_method(text, method):
    assert parse_method(text) is method


def test_parse_method_rejects_unknown_names_listing_spellings():
    with pytest.raises(ValueError) as info:
        parse_method("balloon")
    message = str(info.value)
    for spelling in ("equal-installment", "equal_installment", "等额本息", "等额本金", "先息后本", "随借随还"):
        assert spelling in message


def test_labels():
    assert [m.label_zh for m in RepaymentMethod] == ["等额本息", "等额本金", "按月付息到期还本", "随借随还"]


@pytest.mark.parametrize(
    ("kwargs", "error", "pattern"),
    [
        ({"principal": D("0")}, ValueError, "principal must be greater than 0"),
        ({"principal": D("-5")}, ValueError, "principal must be greater than 0"),
        ({"principal": D("100.005")}, ValueError, "whole number of cents"),
        ({"principal": D("NaN")}, ValueError, "finite"),
        ({"principal": 1000.0}, TypeError, "not float"),
        ({"term_months": 0}, ValueError, "between 1 and 600"),
        ({"term_months": 601}, ValueError, "between 1 and 600"),
        ({"term_months": 12.0}, TypeError, "term_months must be an int"),
        ({"annual_rate": D("-0.01")}, ValueError, "0 <= rate < 1"),
        ({"annual_rate": D("1")}, ValueError, "0 <= rate < 1"),
        ({"annual_rate": D("4.9")}, ValueError, "0.049 for 4.9%"),
        ({"annual_rate": 0.049}, TypeError, "not float"),
        ({"method": "balloon"}, ValueError, "unknown repayment method"),
    ],
)
def test_validation(kwargs, error, pattern):
    args = {"principal": D("1000"), "annual_rate": RATE_49, "term_months": 12, "method": EI, **kwargs}
    with pytest.raises(error, match=pattern):
        build_schedule(**args)


def test_int_and_string_principal_are_accepted():
    assert build_schedule(1000, "0.049", 12, EI) == build_schedule(D("1000.00"), RATE_49, 12, EI)


# --------------------------------------------------------------------------- output formats


def test_json_shape_and_round_trip():
    s = build_schedule(MILLION, RATE_49, 360, EI, start_date=date(2026, 1, 15))
    text = schedule_to_json(s)
    data = json.loads(text)
    assert text.startswith('{\n  "method"')  # indent 2
    assert data["method"] == "equal_installment"
    assert data["principal"] == "1000000.00"
    assert data["annual_rate"] == "0.049"
    assert data["term_months"] == 360
    assert len(data["periods"]) == 360
    assert data["periods"][0] == {
        "period": 1,
        "due_date": "2026-02-15",
        "payment": "5307.27",
        "principal": "1223.94",
        "interest": "4083.33",
        "balance": "998776.06",
    }
    assert data["periods"][-1]["balance"] == "0.00"
    assert data["total_interest"] == f"{s.total_interest:.2f}"
    assert data["total_payment"] == f"{s.total_payment:.2f}"
    for row in data["periods"]:
        for key in ("payment", "principal", "interest", "balance"):
            assert isinstance(row[key], str) and len(row[key].split(".")[1]) == 2
    assert Schedule.model_validate_json(text) == s
    # Python-mode dumps keep Decimals
    assert s.model_dump()["periods"][0]["payment"] == D("5307.27")


def test_json_without_dates_and_money_validation():
    s = build_schedule(D("300"), D("0"), 3, EP)
    data = json.loads(schedule_to_json(s))
    assert [row["due_date"] for row in data["periods"]] == [None, None, None]
    assert [row["payment"] for row in data["periods"]] == ["100.00", "100.00", "100.00"]
    assert SchedulePeriod(period=1, due_date=None, payment="5", principal="5", interest="0", balance="0").payment == D(
        "5.00"
    )
    with pytest.raises(ValueError, match="whole number of cents"):
        SchedulePeriod(period=1, due_date=None, payment="5.001", principal="5", interest="0", balance="0")


def test_models_are_frozen():
    s = build_schedule(D("1000"), RATE_49, 2, EI)
    with pytest.raises(ValueError):
        s.term_months = 3
    with pytest.raises(ValueError):
        s.periods[0].payment = D("1")


def test_csv_shape():
    s = build_schedule(MILLION, RATE_49, 360, EI, start_date=date(2026, 1, 31))
    text = render_csv(s)
    lines = text.splitlines()
    assert lines[0] == "period,due_date,payment,principal,interest,balance"
    assert len(lines) == 361
    assert lines[1] == "1,2026-02-28,5307.27,1223.94,4083.33,998776.06"
    rows = list(csv.DictReader(io.StringIO(text)))
    assert sum(D(row["principal"]) for row in rows) == MILLION
    assert rows[-1]["balance"] == "0.00"
    undated = render_csv(build_schedule(D("100"), D("0"), 2, EP)).splitlines()
    assert undated[1:] == ["1,,50.00,50.00,0.00,50.00", "2,,50.00,50.00,0.00,0.00"]


def test_table_shape():
    s = build_schedule(MILLION, RATE_49, 360, EI, start_date=date(2026, 1, 31))
    text = render_table(s)
    lines = text.splitlines()
    assert "等额本息" in lines[0] and "1,000,000.00" in lines[0] and "4.9%" in lines[0]
    assert "期数" in lines[1] and "剩余本金" in lines[1]
    assert "Period" in lines[2] and "Balance" in lines[2]
    body = lines[4:364]
    assert len(body) == 360
    assert body[0].split() == ["1", "2026-02-28", "5,307.27", "1,223.94", "4,083.33", "998,776.06"]
    assert body[-1].split()[-1] == "0.00"
    # right-aligned numeric columns: every data row has the same width and the rule matches
    assert len({len(line) for line in body}) == 1
    assert len(lines[3]) == len(body[0])
    assert lines[-1].startswith("合计 Total")
    assert s.total_payment.__format__(",.2f") in lines[-1]


def test_table_without_due_dates_drops_the_column():
    text = render_table(build_schedule(D("1200"), RATE_49, 2, IO))
    assert "Due date" not in text
    assert text.splitlines()[4].split() == ["1", "4.90", "0.00", "4.90", "1,200.00"]
