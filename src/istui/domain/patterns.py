"""Regular expressions compiled when first used: a quick command (`istui log call`) reads no WHEN, no
amount, no romaji, yet compiling every module's patterns at import took ~8 ms of its start."""

from __future__ import annotations

import re
from typing import Any


class _Lazy:
    __slots__ = ("_args", "_compiled")

    def __init__(self, *args: Any) -> None:
        self._args, self._compiled = args, None

    def __getattr__(self, name: str) -> Any:
        if self._compiled is None:
            self._compiled = re.compile(*self._args)
        return getattr(self._compiled, name)


def lazy(pattern: Any, flags: int = 0) -> Any:
    """`re.compile(pattern, flags)`, done at the first use of the pattern's methods (`match`, `sub`, …)."""
    return _Lazy(pattern, flags)
