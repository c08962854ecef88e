"""Animator: a training curve that redraws in place as points arrive."""

import math
import time

import matplotlib.pyplot as plt

from .figure import set_axes, use_svg_display
from .shell import _in_ipython


class Animator:
    """For plotting data in animation.

    In Jupyter the figure is shown once and then updated in place through a display
    handle, so a live notebook shows one moving plot and an executed notebook keeps
    exactly one final figure (the book appended a new SVG per epoch). Outside IPython
    it only keeps the data and the figure (``animator.fig``).

    Drawing the SVG takes longer than an epoch of fast training, so in Jupyter the
    figure is redrawn at most once a second, and the final state always.
    """

    def __init__(self, xlabel=None, ylabel=None, legend=None, xlim=None, ylim=None,
                 xscale="linear", yscale="linear", fmts=("-", "m--", "g-.", "r:"),
                 nrows=1, ncols=1, figsize=(3.5, 2.5)):
        legend = legend or []
        use_svg_display()
        self.fig, axes = plt.subplots(nrows, ncols, figsize=figsize, squeeze=False)
        self.axes = axes.flatten()
        # The figure is displayed through our handle only; closing it keeps the inline
        # backend from showing a second copy when the cell finishes.
        plt.close(self.fig)
        self.config_axes = lambda: set_axes(
            self.axes[0], xlabel, ylabel, xlim, ylim, xscale, yscale, legend)
        self.X, self.Y, self.fmts = None, None, fmts
        self._live = None

    def add(self, x, y):
        """Add one or more points (one per curve) and redraw."""
        if not hasattr(y, "__len__"):
            y = [y]
        n = len(y)
        if not hasattr(x, "__len__"):
            x = [x] * n
        if self.X is None:
            self.X = [[] for _ in range(n)]
        if self.Y is None:
            self.Y = [[] for _ in range(n)]
        if len(x) != n or len(self.Y) != n:
            raise ValueError(f"expected {len(self.Y)} y values (one per curve), got {n}")
        for i, (a, b) in enumerate(zip(x, y)):
            if a is not None and b is not None:
                self.X[i].append(float(a))
                self.Y[i].append(float(b))
        self.axes[0].cla()
        for x, y, fmt in zip(self.X, self.Y, self.fmts):
            self.axes[0].plot(x, y, fmt)
        self.config_axes()
        self._show()

    def _show(self):
        if not _in_ipython():
            return
        if self._live is None:
            self._live = _LiveFigure(self.fig)
        self._live.show()


class _LiveFigure:
    """A figure displayed once in Jupyter, then updated in place, at most every
    ``interval`` seconds: updates that come faster are merged into the next one, and one
    still pending when the cell finishes is drawn then, so the last state is what stays."""

    interval = 1.0

    def __init__(self, fig):
        self.fig, self.handle = fig, None
        self.drawn_at, self.pending, self.hooked = -math.inf, False, False

    def show(self):
        if self.handle is not None and time.perf_counter() - self.drawn_at < self.interval:
            self._draw_when_the_cell_ends()
            return
        from IPython.display import display

        if self.handle is None:
            self.handle = display(self.fig, display_id=True)
        else:
            self.handle.update(self.fig)
        self.drawn_at, self.pending = time.perf_counter(), False

    def _draw_when_the_cell_ends(self):
        from IPython import get_ipython

        self.pending = True
        if not self.hooked:
            get_ipython().events.register("post_run_cell", self._flush)
            self.hooked = True

    def _flush(self, result=None):
        from IPython import get_ipython

        get_ipython().events.unregister("post_run_cell", self._flush)
        self.hooked = False
        if self.pending:
            self.handle.update(self.fig)
            self.pending = False
