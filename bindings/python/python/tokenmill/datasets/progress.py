"""Progress bars (tqdm.auto) for load/map/filter/tokenize/save, and the switches
``disable_progress_bars`` / ``enable_progress_bars`` (HF names). The native engine reports through a
``_Bar`` object; updates are throttled on the Rust side."""

from __future__ import annotations

import os

_enabled = os.environ.get("TOKENMILL_DISABLE_PROGRESS_BARS", os.environ.get("HF_DATASETS_DISABLE_PROGRESS_BARS", "")) in (
    "",
    "0",
    "false",
    "False",
)


def disable_progress_bars() -> None:
    """Disable every progress bar of the datasets API."""
    global _enabled
    _enabled = False


def enable_progress_bars() -> None:
    """Enable the progress bars of the datasets API (the default)."""
    global _enabled
    _enabled = True


def are_progress_bars_disabled() -> bool:
    return not _enabled


def _tqdm():
    try:
        from tqdm.auto import tqdm
    except Exception:  # tqdm is optional
        return None
    return tqdm


class _Bar:
    """A tqdm bar opened on ``start`` (one per operation), fed by ``update``, closed by ``close``."""

    def __init__(self, desc: str | None = None, unit: str = " examples"):
        self._desc = desc
        self._unit = unit
        self._bar = None

    def start(self, desc, total=None):
        self.close()
        tqdm = _tqdm()
        if tqdm is None or not _enabled:
            return
        self._bar = tqdm(total=total, desc=self._desc or desc, unit=self._unit, leave=False)

    def update(self, n):
        if self._bar is not None:
            self._bar.update(n)

    def close(self):
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def bar(desc: str | None = None):
    """A ``_Bar`` when bars are enabled and tqdm is installed, else None (the engine skips it)."""
    if not _enabled or _tqdm() is None:
        return None
    return _Bar(desc)
