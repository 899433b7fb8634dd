"""gc_paused: the collector is off inside, back to how it was after (nested, raising, already off)."""

from __future__ import annotations

import gc
from collections.abc import Generator

import pytest

from trainproof.gc_pause import gc_paused


@pytest.fixture(autouse=True)
def _restore_gc() -> Generator[None]:
    was = gc.isenabled()
    yield
    if was:
        gc.enable()
    else:
        gc.disable()


def test_paused_inside_and_enabled_after_even_when_nested_or_raising() -> None:
    gc.enable()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner block does not turn it back on early
    assert gc.isenabled()
    with pytest.raises(ValueError, match="boom"), gc_paused():
        raise ValueError("boom")
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    with gc_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()
