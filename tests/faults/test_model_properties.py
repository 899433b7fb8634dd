"""Generated and mutated KnowBe4 payloads fed to the client models (hypothesis).

Starting from records exactly as the simulator serves them, one field is replaced by any JSON value
(huge and negative numbers, NaN, lone surrogates as `\\ud800` escapes decode to, nested garbage), deleted,
or the whole record is replaced. What must hold, for every model:

- the payload goes the way every answer goes: JSON text (`\\ud800` escapes and all), `decode_json`,
  then the model;
- `parse_record` returns a model or raises `ResponseValidationError` whose one-line message names the
  field that was damaged; no other exception, ever;
- a record that validates can be turned into the store's row (as the sync does) and every value of
  that row can be written: integers fit 64 bits, text encodes as UTF-8.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import cache
from typing import Any

import httpx2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from trainproof.client import (
    Account,
    Enrollment,
    Group,
    PhishingCampaign,
    Policy,
    Recipient,
    ResponseValidationError,
    RiskScore,
    SecurityTest,
    StorePurchase,
    TrainingCampaign,
    User,
    parse_record,
)
from trainproof.client._errors import decode_json
from trainproof.simulator import generate_tenant
from trainproof.store import rows

Row = Callable[[Any, dict[str, Any]], list[dict[str, Any]]]


def _campaign_rows(m: TrainingCampaign, raw: dict[str, Any]) -> list[dict[str, Any]]:
    index = rows.ModuleIndex()
    index.add_campaign(m)
    return [rows.training_campaign_row(m, raw), *rows.content_rows(m)]


def _user_rows(m: User, raw: dict[str, Any]) -> list[dict[str, Any]]:
    _ = (m.full_name, m.is_archived)
    return [rows.user_row(m, raw), *rows.member_rows(m)]


def _enrollment_rows(m: Enrollment, raw: dict[str, Any]) -> list[dict[str, Any]]:
    _ = (m.state, m.is_complete, m.user_id)
    return [rows.enrollment_row(m, raw, rows.ModuleIndex(), campaign_id=4215)]


MODELS: dict[str, tuple[type[BaseModel], Row]] = {
    "account": (Account, lambda m, raw: [rows.account_row(m, raw)]),
    "users": (User, _user_rows),
    "groups": (Group, lambda m, raw: [rows.group_row(m, raw)]),
    "training_campaigns": (TrainingCampaign, _campaign_rows),
    "store_purchases": (StorePurchase, lambda m, raw: [rows.store_purchase_row(m, raw)]),
    "policies": (Policy, lambda m, raw: [rows.policy_row(m, raw)]),
    "enrollments": (Enrollment, _enrollment_rows),
    "phishing_campaigns": (PhishingCampaign, lambda m, raw: [rows.phishing_campaign_row(m, raw)]),
    "security_tests": (SecurityTest, lambda m, raw: [rows.security_test_row(m, raw)]),
    "recipients": (Recipient, lambda m, raw: [rows.recipient_row(m, raw, pst_id=1)]),
    "account_risk_score_history": (RiskScore, lambda m, raw: []),
}

# Keys whose damage may be reported under another name: aliases, and `modules`, merged into `content`.
SAME_FIELD = {
    "store_purchased_id": "store_purchase_id",
    "adi_guid": "provisioning_guid",
    "adi_manageable": "provisioning_managed",
    "landing-page": "landing_page",
    "id": "policy_id",
    "modules": "content",
}


@cache
def samples() -> dict[str, list[dict[str, Any]]]:
    """A few records of every kind, as the simulator serves them (JSON round-tripped)."""
    data = json.loads(json.dumps(generate_tenant(12, seed=5).to_dict()))
    out: dict[str, list[dict[str, Any]]] = {"account": [data["account"]]}
    for kind in MODELS:
        if kind != "account":
            out[kind] = data[kind][:6]
    return out


# Text as a JSON decoder can hand it over: any code point, lone surrogates included ("\ud800" escapes).
text = st.text(st.characters(codec=None, exclude_categories=()), max_size=12)
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=2**62, max_value=2**80)
    | st.integers(max_value=-1)
    | st.floats(allow_nan=True, allow_infinity=True)
    | text
    | st.sampled_from(["", " ", "2026-02-30", "2026-11-01T25:00:00Z", "1e400", "12", "null", "Passed", "0001-01-01"])
)
json_values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3), max_leaves=6
)


@st.composite
def damaged(draw: st.DrawFn) -> tuple[str, Any, str | None]:
    """(kind, payload, top-level key that was damaged; None when the whole record was replaced)."""
    kind = draw(st.sampled_from(sorted(MODELS)))
    record = json.loads(json.dumps(draw(st.sampled_from(samples()[kind]))))
    model = MODELS[kind][0]
    action = draw(st.sampled_from(["replace", "replace", "replace", "nested", "delete", "whole"]))
    if action == "whole":
        return kind, draw(json_values.filter(lambda v: not isinstance(v, dict))), None
    keys = sorted(set(record) | set(model.model_fields))
    key = draw(st.sampled_from(keys))
    if action == "delete":
        record.pop(key, None)
    elif action == "nested" and isinstance(record.get(key), dict | list) and record[key]:
        inner = record[key]
        if isinstance(inner, list):
            i = draw(st.integers(0, len(inner) - 1))
            if isinstance(inner[i], dict) and inner[i]:
                inner[i][draw(st.sampled_from(sorted(inner[i])))] = draw(json_values)
            else:
                inner[i] = draw(json_values)
        else:
            inner[draw(st.sampled_from(sorted(inner)))] = draw(json_values)
    else:
        record[key] = draw(json_values)
    return kind, record, key


FIELD = re.compile(r"whose field '([^']*)' is invalid(?: \(Value error, field '([^']*)')?")


def _received(payload: Any) -> Any:
    """`payload` as the client receives it: serialised by a server that escapes non-ASCII, then decoded."""
    body = json.dumps(payload).encode()  # ensure_ascii: lone surrogates travel as \ud800 escapes; NaN as NaN
    return decode_json(httpx2.Response(200, content=body, headers={"content-type": "application/json"}), "GET /x")


def _named(message: str) -> str | None:
    """The top-level field a validation message names (a model-wide check names it in its text)."""
    found = FIELD.search(message)
    if found is None:
        return None
    top = found.group(1).split(".")[0]
    return found.group(2) if top == "(the object)" and found.group(2) else top


def _storable(value: Any, where: str) -> None:
    """What SQLite and PostgreSQL accept: 64-bit integers, UTF-8 text (recursively for JSON columns)."""
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, int):
        assert -(2**63) <= value < 2**63, f"{where}: {value} does not fit a 64-bit column"
    elif isinstance(value, str):
        value.encode("utf-8")  # raises on a lone surrogate: the store could not write it
    elif isinstance(value, list | tuple):
        for item in value:  # pyright: ignore[reportUnknownVariableType]
            _storable(item, where)
    elif isinstance(value, dict):
        for k, item in value.items():  # pyright: ignore[reportUnknownVariableType]
            _storable(k, where)
            _storable(item, where)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged())
def test_damaged_payloads_validate_or_name_the_field(case: tuple[str, Any, str | None]) -> None:
    kind, payload, key = case
    problem = _check(kind, payload, key)
    assert problem is None, problem


@pytest.mark.parametrize("kind", sorted(MODELS))
def test_every_sample_validates(kind: str) -> None:
    """The starting points are valid, so every failure above comes from the damage alone."""
    model, to_rows = MODELS[kind]
    for record in samples()[kind]:
        assert to_rows(parse_record(model, record), record) is not None


NASTY: list[Any] = [
    None,
    True,
    -1,
    0,
    2**63,
    10**30,
    1.5,
    float("nan"),
    float("inf"),
    "",
    "abc",
    "a\ud800b",
    "2026-02-30",
    1_700_000_000,
    [],
    [1, "x", None],
    {},
    {"id": "x"},
    [{"id": 2**64}],
    {"id": 2**64},
]


def _check(kind: str, payload: Any, key: str | None) -> str | None:
    """The property above for one payload; the problem found, or None."""
    model, to_rows = MODELS[kind]
    received = _received(payload)
    try:
        parsed = parse_record(model, received, "GET /v1/test")
    except ResponseValidationError as exc:
        named = _named(exc.message)
        clear = "\n" not in exc.message and exc.message.startswith(
            ("KnowBe4 answered GET /v1/test with a ", "KnowBe4 answered GET /v1/test with an ")
        )
        if not clear or named not in ((key, SAME_FIELD.get(key)) if key else ("(the object)",)):
            return f"unclear message: {exc.message}"
        return None
    except Exception as exc:
        return f"crash: {exc!r}"
    try:
        for row in to_rows(parsed, received if isinstance(received, dict) else {}):
            for column, value in row.items():
                _storable(value, f"{kind}.{column}")
    except Exception as exc:
        return f"accepted but not storable: {exc!s}"
    return None


def test_every_field_of_every_model_with_every_nasty_value() -> None:
    """Exhaustive where hypothesis samples: each key of each sample, replaced by each value above."""
    problems: list[str] = []
    for kind, records in samples().items():
        record = records[0]
        for key in sorted(record):
            for value in NASTY:
                payload = {**json.loads(json.dumps(record)), key: value}
                problem = _check(kind, payload, key)
                if problem:
                    problems.append(f"{kind}.{key} = {value!r}: {problem}")
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems[:40])
