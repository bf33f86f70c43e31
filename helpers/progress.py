"""A progress bar widget for loops that take more than a second."""
from __future__ import annotations

import ipywidgets as widgets

from .validation import check_int

__all__ = ["progress_bar"]


class progress_bar:
    """A progress bar for loops that take more than a second (instead of a wall of prints).

    ``bar = progress_bar(total, "training"); bar.update(i); bar.close()`` or as
    a context manager. Updates the widget at most ``redraws`` times in all.
    """

    def __init__(self, total: int, description: str = "", redraws: int = 50, display_now: bool = True):
        self.total = check_int("total", total, minimum=1)
        self._every = max(1, self.total // max(1, redraws))
        self.widget = widgets.IntProgress(min=0, max=self.total, value=0, description=description,
                                          style={"description_width": "initial"})
        if display_now:
            from IPython.display import display
            display(self.widget)

    def update(self, i: int) -> None:
        if i % self._every == 0 or i >= self.total:
            self.widget.value = min(int(i), self.total)

    def close(self) -> None:
        self.widget.value = self.total
        self.widget.bar_style = "success"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False
