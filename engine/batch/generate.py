"""Realistic synthetic applicants for any product, for demos, tests and benchmarks.

One latent credit quality per applicant drives the correlated fields (tax grade, overdue history,
inquiries, risk warnings, democratic appraisal); enterprise size drives revenue, revenue drives taxable
sales, sales drive tax paid, the registration date drives months of continuous filing and the owner's
age. Optional data sources (social security, housing fund, tax for pre-approved lines) are present
for a share of applicants, and a small share of fields is missing, as in real customer lists. With
`invalid` > 0 a share of rows carries an impossible value (age 150, negative money, tax grade 'E').
Fields the generator does not know (a pack's own dictionary extensions) get plausible values by type.
Everything is drawn from one seeded generator: the same seed gives the same file.
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Iterator

import numpy as np
import polars as pl

from engine.batch.generated_io import documents, write_generated  # noqa: F401 - re-exported
from engine.documents.models import DataDictionary, ProductDoc

SOURCE_PRESENCE = {"social_security": 0.3, "housing_fund": 0.4, "pre_credit": 0.95, "property": 0.98, "loan": 0.98}
FIELD_MISSING = 0.012  # share of each optional field left out
GENERATE_CHUNK = 500_000  # rows generated at a time for large files


def money_series(name: str, yuan: np.ndarray) -> pl.Series:
    """Exact money (Decimal with 2 decimals) from float yuan, rounded to the cent once."""
    cents = np.round(yuan * 100).astype(np.int64)
    return cents_series(name, cents)


def cents_series(name: str, cents: np.ndarray | pl.Series) -> pl.Series:
    series = pl.Series(name, cents, dtype=pl.Int64)
    return pl.select((series.cast(pl.Decimal(38, 0)) * pl.lit(Decimal("0.01"), dtype=pl.Decimal(38, 2)))
                     .cast(pl.Decimal(18, 2)).alias(name)).to_series()


class _Generator:
    def __init__(self, product: ProductDoc, dictionary: DataDictionary, n: int, seed: int, on: date):
        self.product = product
        self.dictionary = dictionary
        self.n = n
        self.rng = np.random.default_rng(seed)
        self.on = on
        self.columns: dict[str, pl.Series] = {}
        self.quality = self.rng.normal(0, 1, n)  # latent credit quality: higher is better

    def pick(self, values: list[Any], weights: list[float], size: int | None = None) -> np.ndarray:
        p = np.array(weights, dtype=float)
        return self.rng.choice(np.array(values, dtype=object), size=size or self.n, p=p / p.sum())

    def chance(self, p: float | np.ndarray) -> np.ndarray:
        return self.rng.random(self.n) < p

    def by_quality(self, values: list[Any], cuts: list[float]) -> np.ndarray:
        """values[i] for quality in the i-th band (cuts ascending; lower quality -> earlier value)."""
        noisy = self.quality + self.rng.normal(0, 0.35, self.n)
        index = np.searchsorted(np.array(cuts), noisy)
        return np.array(values, dtype=object)[index]

    def put(self, path: str, series: pl.Series | np.ndarray | list, dtype: Any = None) -> None:
        if isinstance(series, pl.Series):
            self.columns[path] = series.alias(path)
        else:
            values = series.tolist() if isinstance(series, np.ndarray) else series
            self.columns[path] = pl.Series(path, values, dtype=dtype)

    def days_ago(self, low_days: np.ndarray | int, high_days: np.ndarray | int) -> list[date]:
        days = self.rng.integers(low_days, high_days, self.n)
        return [self.on - timedelta(days=int(d)) for d in days]

    def run(self) -> pl.DataFrame:
        sources = set(self.product.data_sources)
        n = self.n
        self.columns["id"] = pl.Series("id", [f"{self.product.code.upper()[:6]}-{i:07d}" for i in range(n)], dtype=pl.String)
        # applicant and enterprise: the backbone other sources depend on
        types = list(self.product.customer_types)
        all_types = self.dictionary.sources["applicant"].fields["customer_type"].values or types
        others = [t for t in all_types if t not in types] or types
        chosen = np.where(self.chance(0.96), self.pick(types, [1] * len(types)), self.pick(others, [1] * len(others)))
        self.put("applicant.customer_type", chosen, pl.String)
        years_in_business = np.clip(self.rng.gamma(2.2, 3.2, n) + 0.3 + 0.8 * self.quality, 0.2, 35)
        age = np.clip(np.round(24 + years_in_business * 0.9 + self.rng.normal(10, 7, n)), 19, 72).astype(np.int64)
        size = self.pick(["micro", "small", "medium"], [62, 30, 8])
        revenue_mu = np.select([size == "micro", size == "small"], [np.log(1.6e6), np.log(9e6)], np.log(3.5e7))
        revenue = np.exp(self.rng.normal(revenue_mu, 0.55))
        self.derived = {"age": age, "years": years_in_business, "size": size, "revenue": revenue}
        generators = {"applicant": self.applicant, "enterprise": self.enterprise, "tax": self.tax,
                      "credit_bureau": self.credit_bureau, "judicial": self.judicial, "risk_warning": self.risk_warning,
                      "property": self.property, "social_security": self.social_security,
                      "housing_fund": self.housing_fund, "pre_credit": self.pre_credit, "loan": self.loan}
        for source in self.dictionary.sources:
            if source not in sources:
                continue
            before = set(self.columns)
            generator = generators.get(source)
            if generator is not None:
                generator()
            self.generic(source)  # any field not produced above (e.g. a pack's dictionary extension)
            present = self.source_present(source)
            new = [c for c in self.columns if c not in before]
            for path in new:
                column = self.columns[path]
                drop = ~present
                if path != "applicant.customer_type":
                    drop = drop | self.chance(FIELD_MISSING)
                self.columns[path] = pl.select(pl.when(pl.lit(pl.Series(drop))).then(None).otherwise(pl.lit(column))
                                               .alias(path)).to_series()
        return pl.DataFrame(list(self.columns.values()))

    def source_present(self, source: str) -> np.ndarray:
        code = self.product.code
        p = SOURCE_PRESENCE.get(source, 0.985)
        if source == "applicant":
            p = 1.0
        if source == "tax" and code.startswith("yangguang"):
            p = 0.5
        if source == "tax" and code.startswith("yiqitong"):
            p = 0.8
        if source == "enterprise" and code.startswith("yangguang"):
            p = 0.8
        return self.chance(p)

    # ------------------------------------------------------------ sources

    def applicant(self) -> None:
        n, age = self.n, self.derived["age"]
        self.put("applicant.age", age, pl.Int64)
        self.put("applicant.birth_date", [self.on - timedelta(days=int(a * 365.25 + d)) for a, d in
                                          zip(age, self.rng.integers(0, 364, n))], pl.Date)
        self.put("applicant.role", self.pick(["legal_representative", "actual_controller", "shareholder", "other"],
                                             [66, 28, 4, 2]), pl.String)
        married = self.pick(["single", "married", "divorced", "widowed"], [12, 78, 8, 2])
        self.put("applicant.marital_status", married, pl.String)
        consent = np.where(married == "married", self.chance(0.9), None)  # type: ignore[call-overload]  # stubs lack a None fill
        self.put("applicant.spouse_consent", consent, pl.Boolean)
        self.put("applicant.residence_years", np.minimum(age - 18, self.rng.integers(1, 40, n)).clip(0), pl.Int64)
        self.put("applicant.same_product_other_enterprise", self.chance(0.02), pl.Boolean)
        income = self.derived["revenue"] * self.rng.uniform(0.006, 0.02, n)
        self.put("applicant.monthly_income", money_series("x", income))
        self.put("applicant.monthly_expenses", money_series("x", income * self.rng.uniform(0.3, 0.8, n)))

    def enterprise(self) -> None:
        n = self.n
        d = self.derived
        self.put("enterprise.registered_on", [self.on - timedelta(days=int(y * 365.25)) for y in d["years"]], pl.Date)
        self.put("enterprise.size", d["size"], pl.String)
        self.put("enterprise.industry", self.pick(["F51", "F52", "C13", "A01", "E47", "I65", "H62"], [20, 25, 15, 15, 10, 5, 10]),
                 pl.String)
        self.put("enterprise.restricted_industry", self.chance(0.015), pl.Boolean)
        self.put("enterprise.status", self.pick(["active", "suspended", "revoked", "cancelled"], [97, 1.5, 1, 0.5]), pl.String)
        self.put("enterprise.borrowing_resolution", self.chance(0.85), pl.Boolean)
        has_credit = self.chance(0.5)
        credit = np.where(has_credit, d["revenue"] * self.rng.uniform(0, 0.5, n), np.nan)
        self.put("enterprise.total_credit_at_bank", _money_or_null("x", credit))
        self.put("enterprise.annual_revenue", money_series("x", d["revenue"]))
        outstanding = np.where(self.chance(0.6), d["revenue"] * self.rng.uniform(0, 0.25, n), 0.0)
        self.put("enterprise.outstanding_loans_at_bank", money_series("x", outstanding))
        self.put("enterprise.region", self.pick(["320282", "320412", "320981", "510502"], [40, 30, 20, 10]), pl.String)

    def tax(self) -> None:
        n, d = self.n, self.derived
        grade = self.by_quality(["D", "C", "M", "B", "A"], [-2.3, -1.8, -1.25, 0.05])
        young = d["years"] < 1.5
        grade = np.where(young & (self.rng.random(n) < 0.6), "M", grade)
        self.put("tax.grade", grade, pl.String)
        self.put("tax.status", self.by_quality(["non_filing", "abnormal", "normal"], [-2.6, -2.2]), pl.String)
        sales = d["revenue"] * self.rng.uniform(0.65, 1.15, n)
        paid = sales * np.clip(self.rng.normal(0.022, 0.009, n), 0.001, 0.06)
        self.put("tax.paid_12m", money_series("x", paid))
        self.put("tax.paid_24m", money_series("x", paid * self.rng.uniform(1.6, 2.2, n)))
        self.put("tax.taxable_sales_12m", money_series("x", sales))
        months = np.clip(np.floor(d["years"] * 12 * self.rng.uniform(0.75, 1.0, n)), 0, 600).astype(np.int64)
        self.put("tax.months_filed_continuous", months, pl.Int64)
        arrears = np.where(self.chance(0.03 + 0.05 * (self.quality < -1)), self.rng.uniform(50, 8000, n), 0.0)
        self.put("tax.arrears_amount", money_series("x", arrears))
        self.put("tax.violations_24m", self.by_quality([2, 1, 0], [-1.9, -1.3]).astype(np.int64), pl.Int64)

    def credit_bureau(self) -> None:
        n, d = self.n, self.derived
        overdue = np.where(self.chance(0.02 + 0.06 * (self.quality < -1.2)), self.rng.uniform(100, 30000, n), 0.0)
        self.put("credit_bureau.current_overdue_amount", money_series("x", overdue))
        self.put("credit_bureau.max_consecutive_overdue_24m", self.by_quality([4, 3, 2, 1, 0], [-2.2, -1.8, -1.2, -0.6])
                 .astype(np.int64), pl.Int64)
        self.put("credit_bureau.total_overdue_periods_24m", self.by_quality([8, 6, 4, 2, 0], [-2.2, -1.7, -1.1, -0.5])
                 .astype(np.int64), pl.Int64)
        special = self.by_quality([["write_off"], ["guarantor_compensation"], []], [-2.6, -2.4])
        self.put("credit_bureau.special_status", [list(s) for s in special], pl.List(pl.String))
        self.put("credit_bureau.loan_inquiries_3m", self.rng.poisson(np.clip(2.2 - 0.8 * self.quality, 0.3, 8)), pl.Int64)
        self.put("credit_bureau.total_debt", money_series("x", d["revenue"] * np.clip(self.rng.normal(0.35, 0.25, n), 0, 1.5)))
        self.put("credit_bureau.guarantee_balance", money_series("x", np.where(self.chance(0.3), self.rng.uniform(0, 4e6, n), 0.0)))
        self.put("credit_bureau.monthly_repayments", money_series("x", d["revenue"] * self.rng.uniform(0, 0.004, n)))
        self.put("credit_bureau.lending_institutions", self.rng.poisson(np.clip(2 - 0.5 * self.quality, 0.2, 8)), pl.Int64)

    def judicial(self) -> None:
        n = self.n
        self.put("judicial.dishonest_debtor", self.chance(0.005 + 0.02 * (self.quality < -1.8)), pl.Boolean)
        cases = self.rng.poisson(np.clip(0.15 - 0.1 * self.quality, 0.01, 2))
        self.put("judicial.pending_defendant_cases", cases, pl.Int64)
        self.put("judicial.pending_defendant_amount", money_series("x", np.where(cases > 0, self.rng.uniform(2000, 1.2e6, n), 0.0)))
        self.put("judicial.enforcement_cases_24m", self.by_quality([2, 1, 0], [-2.2, -1.6]).astype(np.int64), pl.Int64)
        self.put("judicial.criminal_record", self.chance(0.003), pl.Boolean)

    def risk_warning(self) -> None:
        self.put("risk_warning.bank_blacklist", self.chance(0.006), pl.Boolean)
        self.put("risk_warning.regulator_list", self.chance(0.003), pl.Boolean)
        self.put("risk_warning.warning_level", self.by_quality(["high", "medium", "low", "none"], [-2.3, -1.7, -0.9]), pl.String)
        flags = self.by_quality([["frequent_litigation", "abnormal_operation"], ["equity_frozen"], []], [-2.5, -2.1])
        self.put("risk_warning.flags", [list(f) for f in flags], pl.List(pl.String))

    def property(self) -> None:
        n = self.n
        self.put("property.type", self.pick(["residential", "commercial", "office", "industrial", "land"], [70, 14, 5, 8, 3]),
                 pl.String)
        self.put("property.ownership", self.pick(["self", "joint_with_spouse", "joint_other", "third_party"], [45, 48, 4, 3]),
                 pl.String)
        valuation = np.exp(self.rng.normal(np.log(2.2e6), 0.6, n))
        self.put("property.valuation", money_series("x", valuation))
        mortgage = np.where(self.chance(0.45), valuation * self.rng.uniform(0.05, 0.6, n), 0.0)
        self.put("property.existing_mortgage_balance", money_series("x", mortgage))
        self.put("property.registry_verified", self.chance(0.93), pl.Boolean)
        self.put("property.seized", self.chance(0.01), pl.Boolean)
        self.put("property.age_years", np.clip(self.rng.gamma(2.5, 6, n), 0, 60).astype(np.int64), pl.Int64)
        self.put("property.region", self.pick(["320282", "320412", "320981"], [50, 30, 20]), pl.String)

    def social_security(self) -> None:
        self.put("social_security.months_paid_continuous", np.clip(self.rng.poisson(30, self.n) - 4 + 6 * self.quality, 0, 400)
                 .astype(np.int64), pl.Int64)
        self.put("social_security.employees_insured", self.rng.poisson(8, self.n), pl.Int64)

    def housing_fund(self) -> None:
        self.put("housing_fund.months_paid_continuous", np.clip(self.rng.poisson(36, self.n) - 6 + 6 * self.quality, 0, 400)
                 .astype(np.int64), pl.Int64)
        self.put("housing_fund.monthly_deposit", money_series("x", self.rng.uniform(300, 4000, self.n)))

    def pre_credit(self) -> None:
        n = self.n
        self.put("pre_credit.survey_completed", self.chance(0.95), pl.Boolean)
        self.put("pre_credit.appraisal_grade", self.by_quality(["poor", "fair", "good", "excellent"], [-1.9, -0.9, 0.5]), pl.String)
        votes = np.clip(np.round(0.8 + 0.1 * self.quality + self.rng.normal(0, 0.08, n), 2), 0, 1)
        self.columns["pre_credit.appraisal_votes_ratio"] = pl.select(
            (pl.lit(pl.Series(np.round(votes * 100).astype(np.int64))).cast(pl.Decimal(38, 0))
             * pl.lit(Decimal("0.01"), dtype=pl.Decimal(38, 2))).cast(pl.Decimal(18, 2)).alias("pre_credit.appraisal_votes_ratio")
        ).to_series()
        line = np.round(np.exp(self.rng.normal(np.log(2e5), 0.7, n)) / 1000) * 1000
        self.put("pre_credit.pre_approved_line", money_series("x", np.clip(line, 10000, 1.5e6)))
        self.put("pre_credit.scheme", self.pick(["whole_village", "industrial_park", "other"], [55, 35, 10]), pl.String)
        self.put("pre_credit.household_assets", money_series("x", np.exp(self.rng.normal(np.log(6e5), 0.8, n))))
        self.put("pre_credit.granted_on", self.days_ago(10, 900), pl.Date)  # some lines older than 24 months
        self.put("pre_credit.monthly_net_cash_flow", money_series("x", self.rng.normal(9000, 7000, n)))
        self.put("pre_credit.outstanding_balance", money_series("x", np.where(self.chance(0.4), line * self.rng.uniform(0, 0.6, n), 0.0)))

    def loan(self) -> None:
        n, d = self.n, self.derived
        amount = np.clip(np.round(d["revenue"] * self.rng.uniform(0.03, 0.35, n) / 10000) * 10000, 10000, 8e6)
        self.put("loan.amount", money_series("x", amount))
        months = list(self.product.terms.months) or [12]
        self.put("loan.term_months", self.pick(months, [1] * len(months)).astype(np.int64), pl.Int64)
        self.put("loan.channel", self.pick(["mobile_banking", "corporate_ebank", "counter", "gov_app"], [55, 20, 20, 5]), pl.String)
        methods = [m.method for m in self.product.repayment_methods] or ["interest_only"]
        self.put("loan.repayment_method", self.pick(methods, [1] * len(methods)), pl.String)
        self.put("loan.purpose", self.pick(["进货", "经营周转", "设备购置", "农资采购"], [35, 40, 15, 10]), pl.String)

    def generic(self, source: str) -> None:
        for name, definition in self.dictionary.sources[source].fields.items():
            path = f"{source}.{name}"
            if path in self.columns:
                continue
            kind = definition.type
            lo = float(definition.min) if definition.min is not None else 0.0
            hi = float(definition.max) if definition.max is not None else None
            if kind == "integer":
                self.put(path, self.rng.integers(int(lo), int(hi if hi is not None else lo + 100) + 1, self.n), pl.Int64)
            elif kind == "money":
                self.put(path, money_series(path, np.clip(np.exp(self.rng.normal(np.log(1e5), 1, self.n)), lo, hi or np.inf)))
            elif kind == "number":
                top = hi if hi is not None else lo + 10
                self.put(path, cents_series(path, np.round(self.rng.uniform(lo, top, self.n) * 100).astype(np.int64)))
            elif kind == "boolean":
                self.put(path, self.chance(0.85), pl.Boolean)
            elif kind == "enum":
                values = list(definition.values or [])
                self.put(path, self.pick(values, [1] * len(values)), pl.String)
            elif kind == "date":
                self.put(path, self.days_ago(30, 7000), pl.Date)
            elif kind == "string_list":
                self.put(path, [[] for _ in range(self.n)], pl.List(pl.String))
            else:
                self.put(path, [f"{name}-{i % 97}" for i in range(self.n)], pl.String)


def _money_or_null(name: str, yuan: np.ndarray) -> pl.Series:
    series = money_series(name, np.nan_to_num(yuan))
    return pl.select(pl.when(pl.lit(pl.Series(np.isnan(yuan)))).then(None).otherwise(pl.lit(series)).alias(name)).to_series()


def generate(product: ProductDoc, dictionary: DataDictionary, n: int, *, seed: int = 0, on: date | None = None,
             invalid: float = 0.0) -> pl.DataFrame:
    """n applicants for the product as a typed frame with dotted columns (and 'id')."""
    frame = _Generator(product, dictionary, n, seed, on or date.today()).run() if n else pl.DataFrame({"id": []})
    if invalid > 0 and n:
        frame = inject_invalid(frame, invalid, seed)
    return frame


def inject_invalid(frame: pl.DataFrame, share: float, seed: int) -> pl.DataFrame:
    """A share of rows with one impossible value each (still of the column's type)."""
    rng = np.random.default_rng(seed + 7919)
    n = frame.height
    count = max(1, int(round(n * share)))
    rows = rng.choice(n, size=min(count, n), replace=False)
    corruptions = [(p, v) for p, v in [("applicant.age", 150), ("tax.grade", "E"), ("loan.term_months", 0),
                                        ("credit_bureau.loan_inquiries_3m", -2), ("property.type", "castle"),
                                        ("pre_credit.appraisal_grade", "superb")] if p in frame.columns]
    money = [c for c, t in frame.schema.items() if isinstance(t, pl.Decimal)]
    options = corruptions + [(c, Decimal("-100.00")) for c in money[:3]]
    if not options:
        return frame
    choice = rng.integers(0, len(options), len(rows))
    for k, (path, value) in enumerate(options):
        targets = rows[choice == k]
        if len(targets) == 0:
            continue
        column = frame.get_column(path)
        frame = frame.with_columns(column.scatter(targets.tolist(), pl.Series([value] * len(targets), dtype=column.dtype)))
    return frame


def generated_chunks(product: ProductDoc, dictionary: DataDictionary, n: int, *, seed: int = 0, on: date | None = None,
                     invalid: float = 0.0, chunk_rows: int = GENERATE_CHUNK) -> Iterator[pl.DataFrame]:
    """n applicants in frames of at most chunk_rows, for files of any size in bounded memory. Up to
    chunk_rows this is exactly `generate`; past it, chunk k is drawn from its own generator seeded by
    (seed, k), and ids run on across chunks, so the file is the same for the same seed and chunk size."""
    if n <= chunk_rows:
        yield generate(product, dictionary, n, seed=seed, on=on, invalid=invalid)
        return
    prefix = f"{product.code.upper()[:6]}-"
    for k, start in enumerate(range(0, n, chunk_rows)):
        size = min(chunk_rows, n - start)
        chunk_seed = int(np.random.SeedSequence([seed, k]).generate_state(1)[0])
        frame = generate(product, dictionary, size, seed=chunk_seed, on=on, invalid=invalid)
        ids = pl.int_range(start, start + size, eager=True).cast(pl.String).str.zfill(7)
        yield frame.with_columns((prefix + ids).alias("id"))
