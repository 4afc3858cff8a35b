"""What the home page's blocks share: how many lines a block shows and how a due date reads."""

from __future__ import annotations

import datetime as dt
from typing import Any

# a home block shows at most this many lines and links to the full list
HOME_LINES = 15


def due(day: dt.date | None, today: dt.date) -> dict[str, Any]:
    """``days`` left (None: no time limit) and ``late``, the days past due (0 when not late), for
    today/_days.html."""
    if day is None:
        return {"days": None, "late": 0}
    days = (day - today).days
    return {"days": days, "late": -days if days < 0 else 0}
