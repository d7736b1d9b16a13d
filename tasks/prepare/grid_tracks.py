"""A grid's column tracks sized as CSS Grid sizes them (CSS Grid 1 §7.2 and §12), for the table it becomes.

Lengths and percentages are fixed; `auto`, `min-content` and `max-content` are sized by the items in
their column; `fr` tracks share what is left (`1fr` is `minmax(auto, 1fr)`: never narrower than its
content's longest word); `minmax()`, `fit-content()` and `repeat()`, also `repeat(auto-fill | auto-fit,
…)`, are read. Space left with no `fr` track to take it stretches the `auto` tracks.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from lxml import html as lxml_html

from tasks.prepare import estimate, values
from tasks.prepare.cascade import Computed
from tasks.prepare.inline_style import points

ElementStyles = dict[lxml_html.HtmlElement, Computed]
_REPEAT = re.compile(r"repeat\(\s*([^,]+?)\s*,((?:[^()]|\([^()]*\))*)\)", re.IGNORECASE)
_FUNCTION = re.compile(r"^(minmax|fit-content)\((.*)\)$", re.IGNORECASE)
_FR = re.compile(r"^([\d.]+)fr$")
_PERCENT = re.compile(r"^([\d.]+)%$")
_PERCENT_ANYWHERE = re.compile(r"(?<![\w.])([\d.]+)%")
#: The most columns a track list may expand to (a `repeat(auto-fill, …)` of tiny tracks).
MAX_TRACKS = 24


@dataclass
class _Track:
    """One track's sizing functions: each a length in points, "auto", "min-content", "max-content"; the
    maximum may instead be a flex factor (`fr`)."""

    low: float | str
    high: float | str
    flex: float = 0.0
    #: fit-content()'s limit.
    cap: float = math.inf


def is_auto_repeat(template: str) -> bool:
    """Whether the template repeats its tracks as many times as fit (`repeat(auto-fill, …)`)."""
    return bool(re.search(r"repeat\(\s*auto-(?:fill|fit)\b", template, re.IGNORECASE))


def count(template: str) -> int:
    """How many columns the template makes, a `repeat()` of as many as fit counted as one; 0 when it makes
    none or more than MAX_TRACKS."""
    template = template.strip()
    if not template or template == "none":
        return 0
    total, rest = 0, 0
    for found in _REPEAT.finditer(template):
        times = found.group(1).strip()
        if not times.isdigit():
            continue  # auto-fill, auto-fit: one token, as split() leaves it
        total += len(split(template[rest : found.start()])) + int(times) * max(len(split(found.group(2))), 1)
        rest = found.end()
    total += len(split(template[rest:]))
    return total if total <= MAX_TRACKS else 0


def expand(template: str, room: float, gap: float, items: int, font_pt: float = values.ROOT_FONT_PT) -> list[str]:
    """The template's tracks one by one, `repeat()`s written out: auto-fill as many as fit, auto-fit as
    many as fit and hold one of the `items` (its empty tracks collapse)."""
    # Percentages are of the grid's width, also inside calc(): `calc(100% - 106px)`.
    template = _PERCENT_ANYWHERE.sub(lambda found: f"{float(found.group(1)) * room / 100:.2f}pt", template)
    template = values.resolve_lengths(template, values.Context(font_pt=font_pt)) or template
    tracks: list[str] = []
    rest = 0
    for found in _REPEAT.finditer(template):
        tracks += split(template[rest : found.start()])
        inner = split(found.group(2))
        count = found.group(1).strip().lower()
        if count in ("auto-fill", "auto-fit"):
            least = sum(_least(track, room) for track in inner) + gap * len(inner)
            times = max(1, math.floor((room + gap) / least)) if least > 0 else 1
            times = min(times, max(items, 1)) if count == "auto-fit" else times
        else:
            times = int(count) if count.isdigit() else 1
        tracks += inner * min(times, MAX_TRACKS)
        rest = found.end()
    tracks += split(template[rest:])
    return tracks[:MAX_TRACKS]


def widths(
    tracks: list[str],
    columns: list[list[lxml_html.HtmlElement]],
    computed: ElementStyles,
    room: float,
    gap: float,
) -> list[float]:
    """The width in points of each track, `columns` holding the items that sit in each one alone."""
    parsed = [_parse(track, room) for track in tracks]
    low = [_content(columns[index], computed, track.low, "min-content") for index, track in enumerate(parsed)]
    high = [
        low[index]
        if track.flex
        else max(low[index], min(_content(columns[index], computed, track.high, "max-content"), track.cap))
        for index, track in enumerate(parsed)
    ]
    free = room - gap * (len(tracks) - 1) - sum(low)
    sizes = list(low)
    free = _grow(sizes, high, [not track.flex for track in parsed], free)
    if any(track.flex for track in parsed):
        _flex(sizes, parsed, free + sum(sizes[index] for index, track in enumerate(parsed) if track.flex))
    elif free > 0:
        stretched = [index for index, track in enumerate(parsed) if track.high == "auto"]
        for index in stretched:
            sizes[index] += free / len(stretched)
    return sizes


def split(text: str) -> list[str]:
    """A track list's tracks, functions whole, line names (`[name]`) left out."""
    tracks, depth, current = [], 0, ""
    for char in text:
        depth += char == "("
        depth -= char == ")"
        if char.isspace() and depth == 0:
            tracks.append(current)
            current = ""
        else:
            current += char
    tracks.append(current)
    return [track for track in tracks if track and not track.startswith("[")]


def _size(text: str, room: float) -> float | str:
    text = text.strip().lower()
    percent = _PERCENT.match(text)
    if percent:
        return float(percent.group(1)) * room / 100
    length = points(text)
    if length != math.inf:
        return length
    if text == "0":
        return 0.0
    return text if text in ("min-content", "max-content") else "auto"


def _parse(track: str, room: float) -> _Track:
    track = track.strip().lower()
    flex = _FR.match(track)
    if flex:
        return _Track("auto", "auto", float(flex.group(1)))
    function = _FUNCTION.match(track)
    if function is None:
        size = _size(track, room)
        return _Track(size, size)
    if function.group(1) == "fit-content":
        limit = _size(function.group(2), room)
        return _Track("auto", "max-content", cap=limit if isinstance(limit, float) else math.inf)
    low, _, high = function.group(2).partition(",")
    flex = _FR.match(high.strip())
    if flex:
        return _Track(_size(low, room), "auto", float(flex.group(1)))
    return _Track(_size(low, room), _size(high, room))


def _least(track: str, room: float) -> float:
    """What a repeated track takes at least, for counting how many fit (its fixed minimum, else maximum)."""
    parsed = _parse(track, room)
    for size in (parsed.low, parsed.high):
        if isinstance(size, float) and size > 0:
            return size
    return 0.0


def _content(items: list[lxml_html.HtmlElement], computed: ElementStyles, size: float | str, auto: str) -> float:
    """A sizing function's size for a track holding `items` (`auto` standing for `auto`: as a minimum it is
    the min-content size, as a maximum the max-content one)."""
    if isinstance(size, float):
        return size
    if (auto if size == "auto" else size) == "max-content":
        return max((estimate.max_content(item, computed.get(item), computed) for item in items), default=0.0)
    return max((estimate.min_content(item, computed) for item in items), default=0.0)


def _grow(sizes: list[float], limits: list[float], growing: list[bool], free: float) -> float:
    """Share `free` equally among the growing tracks up to their limits (§12.6); what is left."""
    while free > 0.01:
        open_ = [index for index, grows in enumerate(growing) if grows and sizes[index] < limits[index] - 0.01]
        if not open_:
            break
        share = free / len(open_)
        for index in open_:
            step = min(share, limits[index] - sizes[index])
            sizes[index] += step
            free -= step
    return free


def _flex(sizes: list[float], tracks: list[_Track], space: float) -> None:
    """The flexible tracks' sizes from `space` (§12.7.1): a track whose content needs more than its share of
    the fraction keeps its size and leaves the rest to the others."""
    flexible = {index for index, track in enumerate(tracks) if track.flex}
    while flexible:
        factors = sum(tracks[index].flex for index in flexible)
        fraction = space / max(factors, 1.0)
        rigid = {index for index in flexible if sizes[index] > fraction * tracks[index].flex}
        if not rigid:
            for index in flexible:
                sizes[index] = fraction * tracks[index].flex
            return
        flexible -= rigid
        space -= sum(sizes[index] for index in rigid)
