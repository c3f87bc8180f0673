"""Wide characters in front of a boundary stay whole: Textual's compositor cuts every screen line at every
widget's edge, and a double-width character (Japanese) of a toast or a dialog that straddles the edge of a widget
*behind* it is replaced by two spaces ("元に戻し    た"). Upstream: https://github.com/Textualize/textual/issues/6357
(open for Textual 8). `apply()` replaces `Compositor._render_chops` with a version that cuts a widget's line
only where a widget in front of it begins or ends; the buckets it covers in one piece get an empty strip, so
nothing behind claims them. Applied once, for the Textual versions it was written against (8.x)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import textual
from textual._compositor import Compositor
from textual.geometry import Region
from textual.strip import Strip

_EMPTY = Strip([], 0)
_applied = False


def _render_chops(self: Compositor, crop: Region, is_rendered_line: Callable[[int], bool]) -> Sequence[Mapping[int, Strip]]:
    """As Textual's, painting front to back into the buckets between cuts, but a widget's strip is divided only
    at the cuts next to a bucket a widget in front already took."""
    cuts = self.cuts
    chops: list[dict[int, Strip | None]] = [dict.fromkeys(cut_set[:-1]) for cut_set in cuts]
    for region, clip, strips in self._get_renders(crop):
        render_region = region.intersection(clip)
        render_x = render_region.x
        first_cut, last_cut = render_region.column_span
        for y, strip in zip(render_region.line_range, strips, strict=False):
            if not is_rendered_line(y):
                continue
            line = chops[y]
            final_cuts = [cut for cut in cuts[y] if last_cut >= cut >= first_cut]
            if len(final_cuts) < 2:
                continue
            buckets = final_cuts[:-1]
            get = line.get
            free = [get(cut, _EMPTY) is None for cut in buckets]
            width = final_cuts[-1] - render_x
            if strip.cell_length >= width and all(free):  # in front of everything here (the usual case): one piece
                line[buckets[0]] = strip if strip.cell_length == width else strip.divide([width])[0]
                line.update(dict.fromkeys(buckets[1:], _EMPTY))
                continue
            if not any(free):  # behind what was painted: nothing to do
                continue
            ends = [index for index in range(1, len(buckets)) if not (free[index - 1] and free[index])]
            pieces = strip.divide([final_cuts[index] - render_x for index in ends] + [width])
            for start, stop, piece in zip([0, *ends], [*ends, len(buckets)], pieces, strict=False):
                if not free[start]:
                    continue  # a widget in front took it
                line[buckets[start]] = piece
                line.update(dict.fromkeys(buckets[start + 1:stop], _EMPTY))  # covered by the piece before
    return chops  # type: ignore[return-value]


def apply() -> None:
    """Patch the compositor (once); a Textual other than 8.x is left as it is."""
    global _applied
    if _applied or not textual.__version__.startswith("8."):
        return
    Compositor._render_chops = _render_chops  # type: ignore[method-assign]
    _applied = True
