"""The machine a benchmark ran on: processor, cores, load, torch, GPUs."""

import os
import platform
from pathlib import Path


def cpu_model():
    """The processor's marketing name, from /proc/cpuinfo where there is one."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def load_average():
    """The 1, 5 and 15 minute load averages, or None where the OS has none (Windows)."""
    if not hasattr(os, "getloadavg"):
        return None
    return [round(x, 2) for x in os.getloadavg()]


def machine_info():
    import torch

    info = {"cpu_model": cpu_model(), "cores": os.cpu_count(),
            "torch": torch.__version__, "torch_threads": torch.get_num_threads(),
            "python": platform.python_version(), "platform": platform.platform(),
            "load_average": load_average()}
    if torch.cuda.is_available():
        info["gpus"] = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    return info


def device_label(device):
    import torch

    if device.type == "cuda":
        return f"{device} ({torch.cuda.get_device_name(device)})"
    return f"{device} ({cpu_model()}, {os.cpu_count()} cores)"


def default_devices():
    import torch

    return ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
