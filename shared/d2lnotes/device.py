"""Pick the device a notebook computes on: ``"auto"`` means cuda, then mps, then cpu."""

import os

import torch

from .checks import BadValueError, SetupError


def available_devices():
    """Names of the devices this machine can use, e.g. ``['cpu', 'cuda:0']``."""
    names = ["cpu"]
    if torch.cuda.is_available():
        names += [f"cuda:{i}" for i in range(torch.cuda.device_count())]
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        names.append("mps")
    return names


def resolve_device(name="auto"):
    """Turn a device name into a ``torch.device`` that exists on this machine.

    ``"auto"`` (or None) takes ``$D2L_DEVICE`` when set, else the best device available:
    cuda, then mps, then cpu. An explicit name (a notebook's ``device`` parameter) wins
    over the environment. Unknown or unavailable names raise an error that lists what
    this machine has.
    """
    name = "auto" if name is None else str(name).strip().lower()
    if name == "auto":
        name = os.environ.get("D2L_DEVICE", "").strip().lower() or "auto"
    available = available_devices()
    if name == "auto":
        for prefix in ("cuda", "mps"):
            for dev in available:
                if dev.startswith(prefix):
                    return torch.device(dev)
        return torch.device("cpu")
    try:
        device = torch.device(name)
    except RuntimeError:
        raise BadValueError(
            f"Unknown device {name!r}. Use 'auto' or one of: {', '.join(available)}"
        ) from None
    if device.type == "cuda" and device.index is None:
        device = torch.device("cuda:0")
    if str(device) not in available:
        raise SetupError(
            f"Device {name!r} is not available on this machine. Available: "
            f"{', '.join(available)}. Set device='auto' (or D2L_DEVICE=auto) to pick one."
        )
    return device


def try_gpu(i=0):
    """Return gpu(i) if it exists, otherwise cpu (the book's helper)."""
    if torch.cuda.device_count() >= i + 1:
        return torch.device(f"cuda:{i}")
    return torch.device("cpu")


def try_all_gpus():
    """Return all available GPUs, or [cpu] if there is no GPU (the book's helper)."""
    devices = [torch.device(f"cuda:{i}") for i in range(torch.cuda.device_count())]
    return devices if devices else [torch.device("cpu")]

