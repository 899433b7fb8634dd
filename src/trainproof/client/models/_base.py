"""Shared pieces of the wire models: the base class and the tolerant field types.

KnowBe4 payloads drift (key renames, int-or-string ids, dates with or without a time), so each quirk is
absorbed here once, by a named type, instead of in every model. Unknown keys are kept (`extra="allow"`):
a field KnowBe4 adds tomorrow is stored, not dropped.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Annotated, Any, Self, cast

from pydantic import BaseModel, BeforeValidator, ConfigDict, model_validator

__all__ = ["ApiModel", "Day", "IntStr", "OptDay", "OptInstant"]

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def _beyond_64_bits(value: Any) -> int | None:
    """The first integer in `value` (lists and objects searched) that no 64-bit column can hold."""
    items: list[Any]
    if type(value) is int:
        return None if INT64_MIN <= value <= INT64_MAX else value
    if type(value) is list:
        items = cast(list[Any], value)
    elif type(value) is dict:
        items = list(cast(dict[Any, Any], value).values())
    else:
        return None
    return next((n for n in map(_beyond_64_bits, items) if n is not None), None)


class ApiModel(BaseModel):
    """Base of every KnowBe4 wire model: unknown fields kept, names as the API spells them."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, frozen=False, str_strip_whitespace=False)

    @model_validator(mode="after")
    def _fits_64_bits(self) -> Self:
        """An id or count beyond 64 bits is corrupt and no store column could hold it: name the field.

        One loop over the validated values rather than a validator per field: this runs for every record.
        """
        for name, value in self.__dict__.items():
            if type(value) is int and INT64_MIN <= value <= INT64_MAX:
                continue
            n = _beyond_64_bits(value)
            if n is not None:
                raise ValueError(f"field '{name}' holds {n}, a number beyond 64 bits")
        return self


_EARLIEST, _LATEST = datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC)


def _utc(value: datetime) -> datetime:
    """`value` in UTC (naive means UTC already).

    An instant that falls outside year 1-9999 once in UTC (9999-12-31T23:00:00-05:00) is held at the
    nearest end rather than raising OverflowError: one absurd date must not stop a whole sync, and the
    compliance rule then treats it like any date that far off (after now: never counted).
    """
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        return _LATEST if value.year > 1 else _EARLIEST


def _to_instant(value: Any) -> Any:
    """Aware UTC datetime from `2019-04-02T15:02:38.000Z`, `2019-04-02` (midnight UTC) or a datetime."""
    if value is None or isinstance(value, datetime):
        return value if value is None else _utc(value)
    if isinstance(value, date):
        return datetime.combine(value, time.min, tzinfo=UTC)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            if len(text) == 10:
                return datetime.combine(date.fromisoformat(text), time.min, tzinfo=UTC)
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            raise ValueError(f"{value!r} is not an ISO 8601 date or datetime") from None  # repr: safe for any text
        return _utc(parsed)
    # A number where a date belongs is garbage, not a Unix timestamp: the API never sends one.
    raise ValueError(f"expected an ISO 8601 date or datetime string, got {type(value).__name__}")


def _to_day(value: Any) -> Any:
    """A date from `2021-02-07` or from a datetime string such as `2022-07-27T00:00:00.000Z`."""
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    instant = _to_instant(value)
    return instant.date() if isinstance(instant, datetime) else instant


def _to_int_str(value: Any) -> Any:
    """Text from an int or a string (employee numbers come both ways); blanks become None."""
    if value is None or isinstance(value, bool):
        return None if value is None else value  # a bool is rejected by the str validator, naming the field
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return value.strip() or None
    return value


OptInstant = Annotated[datetime | None, BeforeValidator(_to_instant)]
"""An aware UTC datetime or None; accepts date-only strings as midnight UTC."""
Day = Annotated[date, BeforeValidator(_to_day)]
"""A calendar date; accepts a datetime string and keeps its date."""
OptDay = Annotated[date | None, BeforeValidator(_to_day)]
IntStr = Annotated[str | None, BeforeValidator(_to_int_str)]
"""An identifier that arrives as an int or a string, normalised to str."""
