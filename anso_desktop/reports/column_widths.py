"""How a printed list shares the page's width among its columns: plain arithmetic on widths a
renderer measured, kept apart from the painting so it reads (and is tried) on its own."""

from __future__ import annotations

#: A column needing at most this share of the width never wraps (numbers, dates, statuses).
NARROW_COLUMN = 0.18


def share_the_width(
    natural: list[float],
    header_floor: list[float],
    longest_word: list[float],
    weights: list[float],
    width: float,
) -> list[float]:
    """Each column as wide as its widest value (`natural`), if the page allows; if not, the widest
    columns give way (their text wraps) until the table fits. A column keeps at least its longest
    word while the page has room for every column's, else at least its header (`header_floor`);
    the free-text columns shrink instead."""
    # Where the words of every column cannot all fit, only the headers are kept whole.
    floor = longest_word if sum(longest_word) <= width else header_floor
    if sum(natural) <= width:
        # Everything fits on one line: the spare width goes where the text is longest.
        spare = width - sum(natural)
        return [n + spare * n / sum(natural) for n in natural]
    # Share the page by the columns' typical widths; a column that needs less than its share
    # keeps only what it needs and leaves the rest to the others, until nothing changes.
    widths = [0.0] * len(natural)
    open_columns = set(range(len(natural)))
    room = width
    # Narrow columns (numbers, dates, statuses) never wrap: they keep what they need.
    for index in range(len(natural)):
        if natural[index] <= NARROW_COLUMN * width:
            widths[index] = natural[index]
            room -= natural[index]
            open_columns.discard(index)
    while open_columns:
        total = sum(weights[i] for i in open_columns)
        settled = {i for i in open_columns if natural[i] <= room * weights[i] / total}
        if not settled:
            for i in open_columns:
                widths[i] = max(room * weights[i] / total, floor[i])
            break
        for i in settled:
            widths[i] = natural[i]
            room -= natural[i]
        open_columns -= settled
    # What is over or under the line comes off (or goes to) the columns that wrap anyway.
    wrapping = [i for i in range(len(natural)) if widths[i] < natural[i] - 0.01]
    excess = sum(widths) - width
    if not wrapping:
        scale = width / sum(widths)
        return [width * scale for width in widths]
    if excess <= 0:
        share = sum(widths[i] for i in wrapping)
        for i in wrapping:
            widths[i] -= excess * widths[i] / share
        return widths
    # Too wide: the width above their floors comes off, the wrapping columns' first (the
    # free text, a name, gives most), then the others'; past that, the wrapping columns
    # share what is left to take.
    others = [i for i in range(len(natural)) if i not in wrapping]
    for givers in (wrapping, others):
        slack = {i: widths[i] - floor[i] for i in givers if widths[i] > floor[i]}
        if not slack or excess <= 0.01:
            continue
        taken = min(excess, sum(slack.values()))
        for i, room_above in slack.items():
            widths[i] -= taken * room_above / sum(slack.values())
        excess -= taken
    if excess > 0.01:
        share = sum(widths[i] for i in wrapping)
        for i in wrapping:
            widths[i] -= excess * widths[i] / share
    return widths
