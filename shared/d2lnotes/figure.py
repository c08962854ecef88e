"""Plotting helpers from the book (2.4): SVG output, figure size, axes and line plots."""

import itertools

import torch
from matplotlib import pyplot as plt


def use_svg_display():
    """Use the svg format to display a plot in Jupyter."""
    try:
        from IPython import get_ipython
    except ImportError:  # plain Python without IPython: nothing to display
        return
    if get_ipython() is not None:  # in Jupyter, not in a plain Python script
        from matplotlib_inline import backend_inline

        backend_inline.set_matplotlib_formats("svg")


def set_figsize(figsize=(3.5, 2.5)):
    """Set the figure size for matplotlib."""
    use_svg_display()
    plt.rcParams["figure.figsize"] = figsize


def set_axes(axes, xlabel, ylabel, xlim, ylim, xscale, yscale, legend):
    """Set the axes for matplotlib."""
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    axes.set_xscale(xscale)
    axes.set_yscale(yscale)
    axes.set_xlim(xlim)
    axes.set_ylim(ylim)
    if legend:
        axes.legend(legend)
    axes.grid()


def plot(X, Y=None, xlabel=None, ylabel=None, legend=None, xlim=None, ylim=None,
         xscale="linear", yscale="linear", fmts=("-", "m--", "g-.", "r:"),
         figsize=(3.5, 2.5), axes=None):
    """Plot data points."""

    def has_one_axis(X):  # True if X (tensor or list) has 1 axis
        return (hasattr(X, "ndim") and X.ndim == 1
                or isinstance(X, list) and not hasattr(X[0], "__len__"))

    def to_cpu(x):  # matplotlib reads a tensor only if it is detached and on the CPU
        return x.detach().cpu() if torch.is_tensor(x) else x

    if has_one_axis(X):
        X = [X]
    if Y is None:
        X, Y = [[]] * len(X), X
    elif has_one_axis(Y):
        Y = [Y]
    if len(X) != len(Y):
        X = X * len(Y)
    set_figsize(figsize)
    if axes is None:
        axes = plt.gca()
    axes.cla()
    for x, y, fmt in zip(X, Y, itertools.cycle(fmts)):  # after the last format, start over
        if len(x):
            axes.plot(to_cpu(x), to_cpu(y), fmt)
        else:
            axes.plot(to_cpu(y), fmt)
    set_axes(axes, xlabel, ylabel, xlim, ylim, xscale, yscale, legend)
    return axes
