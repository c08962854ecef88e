"""Argument checks and the errors the helpers raise when a user has something to fix."""


class _MessageOnly:
    """Jupyter shows such an error as its message alone: the message says what to do,
    and a page of library traceback above it would only bury that."""

    def _render_traceback_(self):
        lines = str(self).splitlines() or [""]
        return [f"{type(self).__name__}: {lines[0]}", *lines[1:]]


class SetupError(_MessageOnly, RuntimeError):
    """Something on this machine needs fixing: a missing dataset, an unavailable device."""


class BadValueError(_MessageOnly, ValueError):
    """An argument that cannot work, such as an unknown device name."""


def is_positive_int(value):
    """A positive int (True and False are ints in Python, but not sizes)."""
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def check_positive_int(value, name):
    """Return ``value`` if it is a positive integer, else raise a ValueError saying so."""
    if not is_positive_int(value):
        raise BadValueError(f"{name} must be a positive integer, got {value!r}")
    return value
