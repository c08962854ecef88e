"""Reading a student's numeric answer as a tensor, for checks that compare numbers."""

import torch

from .core import fail


def as_float64(value, what):
    """``value`` (a number, list or tensor) as a float64 tensor, or a wrong answer saying what
    ``what`` should have been."""
    if isinstance(value, torch.Tensor):
        value = value.detach()
    try:
        return torch.as_tensor(value, dtype=torch.float64)
    except (TypeError, ValueError, RuntimeError):
        fail(f"{what}应当是一个数或张量，而你给出的是 {type(value).__name__}。",
             f"{what} should be a number or a tensor, got {type(value).__name__}.")
