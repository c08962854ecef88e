"""record(): publish a notebook's key results where the notebook runner collects them."""

import math

from .shell import _in_ipython

MIME_TYPE = "application/vnd.d2lnotes.results+json"
_RECORDED = {}


def record(**results):
    """Record named results (numbers or short strings) of this notebook.

    In Jupyter they are displayed as machine-readable JSON only
    (``application/vnd.d2lnotes.results+json``), which no frontend renders: the runner
    (``make run``) gathers it into build/results.json, and a reader sees nothing. Elsewhere
    they are printed. Returns None, so a cell ending in record() shows nothing.
    """
    if not results:
        raise ValueError("record() needs at least one name=value pair, e.g. record(test_acc=acc)")
    clean = {}
    for name, value in results.items():
        if hasattr(value, "item") and callable(value.item):  # tensors, numpy scalars
            if getattr(value, "numel", lambda: 1)() != 1:
                raise ValueError(f"{name} must be a single number, got a tensor of "
                                 f"shape {tuple(value.shape)}")
            value = value.item()
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"{name} is {value}: the computation diverged, nothing to record")
        if not isinstance(value, (bool, int, float, str)):
            raise TypeError(f"{name} must be a number or a string, got {type(value).__name__}")
        clean[name] = value
    _RECORDED.update(clean)
    if not _in_ipython():
        print("recorded: " + ", ".join(
            f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in clean.items()))
    else:
        from IPython.display import display

        display({MIME_TYPE: clean}, raw=True)


def recorded():
    """Everything recorded so far in this process."""
    return dict(_RECORDED)
