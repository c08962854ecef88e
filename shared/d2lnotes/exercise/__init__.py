"""Exercises a student can try and check: one module of checks per section (``sec_3_6`` for 3.6)
on top of ``core`` (the check, its messages and the progress line)."""

import importlib
import re

from .core import Exercises, NotAttempted, Result, Wrong, answer, call, fail, not_attempted

__all__ = ["Exercises", "NotAttempted", "Result", "Wrong", "answer", "call", "exercises", "fail",
           "not_attempted"]


def exercises(section):
    """The exercises of one section: ``ex = d2l.exercises("3.6")``, then ``ex.q1.check(...)``."""
    if not isinstance(section, str) or not re.fullmatch(r"\d+\.\d+", section):
        raise ValueError(f'exercises() takes a section number such as "3.6", got {section!r}')
    name = f"{__name__}.sec_{section.replace('.', '_')}"
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as err:
        if err.name != name:
            raise
        raise ValueError(f"section {section} has no exercises in d2lnotes "
                         f"{_version()}: is the package older than the notebook?") from None
    return module.exercises


def _version():
    from .. import __version__
    return __version__
