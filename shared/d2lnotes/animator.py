"""Animator (book 3.6): one figure whose curves grow by a point at every call of add()."""

import matplotlib.pyplot as plt
from IPython import display, get_ipython

import d2lnotes as d2l


class Animator:  #@save
    """For plotting data in animation."""

    def __init__(self, xlabel=None, ylabel=None, legend=None, xlim=None, ylim=None,
                 xscale="linear", yscale="linear", fmts=("-", "m--", "g-.", "r:"),
                 nrows=1, ncols=1, figsize=(3.5, 2.5)):
        # Incrementally plot multiple lines
        if legend is None:
            legend = []
        d2l.use_svg_display()
        self.fig, axes = plt.subplots(nrows, ncols, figsize=figsize, squeeze=False)
        self.axes = axes.flatten()
        plt.close(self.fig)  # shown by add() only, not again when the cell ends
        # Use a lambda function to capture arguments
        self.config_axes = lambda: d2l.set_axes(
            self.axes[0], xlabel, ylabel, xlim, ylim, xscale, yscale, legend)
        self.X, self.Y, self.fmts = None, None, fmts
        self.handle = None  # where the figure is shown, once it is

    def add(self, x, y):
        # Add multiple data points into the figure
        if not hasattr(y, "__len__"):
            y = [y]
        n = len(y)
        if not hasattr(x, "__len__"):
            x = [x] * n
        if not self.X:
            self.X = [[] for _ in range(n)]
        if not self.Y:
            self.Y = [[] for _ in range(n)]
        if len(x) != n or len(self.Y) != n:
            raise ValueError(f"expected {len(self.Y)} y values (one per curve), got {n}")
        for i, (a, b) in enumerate(zip(x, y)):
            if a is not None and b is not None:
                self.X[i].append(a)
                self.Y[i].append(b)
        self.axes[0].cla()
        for x, y, fmt in zip(self.X, self.Y, self.fmts):
            self.axes[0].plot(x, y, fmt)
        self.config_axes()
        if get_ipython() is None:  # a plain Python script: keep the figure, show nothing
            return
        if self.handle is None:  # the first time: show the figure below the cell
            self.handle = display.display(self.fig, display_id=True)
        else:  # afterwards: redraw it where it is
            self.handle.update(self.fig)
