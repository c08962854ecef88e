"""Where the code runs: in IPython / Jupyter results are displayed, elsewhere printed."""


def _in_ipython():
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    return get_ipython() is not None
