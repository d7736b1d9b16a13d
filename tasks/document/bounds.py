"""How much of a document's own text the job record may hold: the one bound every note and name obeys.

A document chooses what a report quotes (a property name, a URL, a link's
target, a part's name), so each list keeps `MAX_ENTRIES` notes and each
note takes at most `MAX_TEXT` bytes of the job JSON; what is cut says so.
"""

from __future__ import annotations

import json

#: Notes per list (ignored CSS features, refused resources, changes): the rest are counted, not listed.
MAX_ENTRIES = 20
#: Bytes of the job JSON one quoted note or name may take, escapes included (an emoji costs 12).
MAX_TEXT = 200
#: Bytes of the job JSON a failure's message may take: our own words, with at most a name or two quoted.
MAX_MESSAGE = 1000
ELLIPSIS = "…"


def json_size(text: str) -> int:
    """The bytes `text` takes inside a JSON string as the job record is written (ASCII, escaped)."""
    return len(json.dumps(text)) - 2


def clip(text: str, limit: int = MAX_TEXT) -> str:
    """`text` if it takes at most `limit` bytes of JSON, else its longest start that does with an ellipsis."""
    if len(text) <= limit and json_size(text) <= limit:
        return text
    budget = limit - json_size(ELLIPSIS)
    kept = len(text)
    for count, char in enumerate(text):
        budget -= json_size(char)
        if budget < 0:
            kept = count
            break
    return text[:kept] + ELLIPSIS
