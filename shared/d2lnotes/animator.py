"""Animator: a training curve that redraws in place as points arrive."""

import matplotlib.pyplot as plt

from .figure import _in_ipython, set_axes, use_svg_display


class Animator:
    """For plotting data in animation.

    In Jupyter the figure is shown once and then updated in place through a display
    handle, so a live notebook shows one moving plot and an executed notebook keeps
    exactly one final figure (the book appended a new SVG per epoch). Outside IPython
    it only keeps the data and the figure (``animator.fig``).
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
        self._handle = None

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
        from IPython.display import display

        if self._handle is None:
            self._handle = display(self.fig, display_id=True)
        else:
            self._handle.update(self.fig)
