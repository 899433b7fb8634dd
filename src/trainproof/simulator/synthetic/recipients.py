"""Recipients of a security test, in column form.

Who opened, clicked, entered data, opened attachments, enabled macros, scanned QR codes, replied or
reported, and from which browser and address.
"""

from __future__ import annotations

import random
from typing import Any

from trainproof.simulator.columns import NONE
from trainproof.simulator.synthetic.draft import DAY, Person

__all__ = ["BROWSERS", "IP_LOCATIONS", "SYSTEMS", "recipient_row"]

IP_LOCATIONS = ("Boston, MA", "Chicago, IL", "Austin, TX", "London, GB", "Toronto, CA", "Newark, NJ", "Denver, CO")
BROWSERS = (("Chrome", "128.0"), ("Edge", "129.0"), ("Safari", "17.6"), ("Firefox", "131.0"), ("Chrome", "127.0"))
SYSTEMS = ("Windows 11", "Windows 10", "MacOSX", "iOS", "Android")


def recipient_row(
    rng: random.Random,
    rates: tuple[float, float, float, float],
    person: Person,
    t0: int,
    recipient_id: int,
    pst_id: int,
    templates: list[dict[str, Any]],
    ips: list[str],
) -> tuple[tuple[Any, ...], int | None]:
    """One recipient row in column form, and when the person failed (or None)."""
    rnd = rng.random
    click, attach_rate, qr_rate, reply_rate = rates
    scheduled = t0 + int(rnd() * 3 * DAY)
    delivered = opened = clicked = replied = attach = macro = data = qr = reported = bounced = NONE
    ip = location = browser = version = system = None
    if rnd() < 0.02:
        bounced = scheduled + 40
    else:
        delivered = scheduled + 5 + int(rnd() * 115)
        careless = 0.4 + 1.2 * (1 - person.diligence)
        if rnd() < 0.5:
            opened = delivered + 60 + int(rnd() * 2 * DAY)
        base = opened if opened != NONE else delivered
        if rnd() < click * careless:
            clicked = base + 5 + int(rnd() * 3600)
            if rnd() < 0.3:
                data = clicked + 30 + int(rnd() * 270)
        if rnd() < attach_rate * careless:
            attach = base + 30 + int(rnd() * 7200)
            if rnd() < 0.3:
                macro = attach + 5 + int(rnd() * 115)
        if rnd() < qr_rate * careless:
            qr = base + 60 + int(rnd() * 6 * 3600)
        if rnd() < reply_rate * careless:
            replied = base + 60 + int(rnd() * 3 * 3600)
        if clicked == NONE and rnd() < 0.2 * (0.5 + person.diligence):
            reported = base + 30 + int(rnd() * 4 * 3600)
        elif clicked != NONE and rnd() < 0.05:
            reported = clicked + 60 + int(rnd() * 540)
        if clicked != NONE or qr != NONE or data != NONE:
            ip = ips[int(rnd() * len(ips))]
            location = IP_LOCATIONS[int(rnd() * len(IP_LOCATIONS))]
            browser, version = BROWSERS[int(rnd() * len(BROWSERS))]
            system = SYSTEMS[int(rnd() * len(SYSTEMS))]
    events = [e for e in (clicked, data, attach, macro, qr, replied) if e != NONE]
    row = (
        recipient_id,
        pst_id,
        person.phish_user,
        templates[int(rnd() * len(templates))],
        scheduled,
        delivered,
        opened,
        clicked,
        replied,
        attach,
        macro,
        data,
        qr,
        reported,
        bounced,
        ip,
        location,
        browser,
        version,
        system,
    )
    return row, (min(events) if events else None)
