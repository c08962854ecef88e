"""Device selection: auto fallback, overrides, and clear errors."""

import pytest
import torch

import d2lnotes as d2l
from d2lnotes import device as device_mod


def test_auto_falls_back_to_cpu_without_accelerators(monkeypatch):
    monkeypatch.delenv("D2L_DEVICE", raising=False)
    monkeypatch.setattr(device_mod, "available_devices", lambda: ["cpu"])
    assert d2l.resolve_device("auto") == torch.device("cpu")
    assert d2l.resolve_device(None) == torch.device("cpu")


def test_auto_prefers_cuda_then_mps(monkeypatch):
    monkeypatch.delenv("D2L_DEVICE", raising=False)
    monkeypatch.setattr(device_mod, "available_devices", lambda: ["cpu", "mps"])
    assert d2l.resolve_device("auto") == torch.device("mps")
    monkeypatch.setattr(device_mod, "available_devices", lambda: ["cpu", "cuda:0", "mps"])
    assert d2l.resolve_device("auto") == torch.device("cuda:0")


def test_environment_overrides_auto_but_not_an_explicit_name(monkeypatch):
    monkeypatch.setenv("D2L_DEVICE", "cpu")
    monkeypatch.setattr(device_mod, "available_devices", lambda: ["cpu", "cuda:0"])
    assert d2l.resolve_device("auto") == torch.device("cpu")
    assert d2l.resolve_device("cuda") == torch.device("cuda:0")


def test_matches_this_machine(monkeypatch):
    monkeypatch.delenv("D2L_DEVICE", raising=False)
    expected = "cuda:0" if torch.cuda.is_available() else "cpu"
    if not torch.cuda.is_available() and torch.backends.mps.is_available():
        expected = "mps"
    assert str(d2l.resolve_device()) == expected
    assert d2l.resolve_device(" CPU ") == torch.device("cpu")
    assert d2l.resolve_device(torch.device("cpu")) == torch.device("cpu")


def test_unknown_device_name_lists_what_is_available(monkeypatch):
    monkeypatch.setattr(device_mod, "available_devices", lambda: ["cpu"])
    with pytest.raises(ValueError, match=r"Unknown device 'gpu'.*one of: cpu"):
        d2l.resolve_device("gpu")


def test_unavailable_device_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(device_mod, "available_devices", lambda: ["cpu"])
    with pytest.raises(RuntimeError, match=r"'cuda' is not available.*Available: cpu"):
        d2l.resolve_device("cuda")
    monkeypatch.setenv("D2L_DEVICE", "mps")
    with pytest.raises(RuntimeError, match="'mps' is not available"):
        d2l.resolve_device("auto")


def test_error_renders_as_its_message_in_jupyter(monkeypatch):
    monkeypatch.setattr(device_mod, "available_devices", lambda: ["cpu"])
    with pytest.raises(RuntimeError) as info:
        d2l.resolve_device("cuda:1")
    lines = info.value._render_traceback_()  # what IPython shows instead of a traceback
    assert lines[0].startswith("SetupError: Device 'cuda:1' is not available")


def test_book_helpers():
    n = torch.cuda.device_count()
    assert d2l.try_gpu() == (torch.device("cuda:0") if n else torch.device("cpu"))
    assert d2l.try_gpu(n) == torch.device("cpu")  # one past the last GPU
    assert d2l.try_all_gpus() == ([torch.device(f"cuda:{i}") for i in range(n)]
                                  or [torch.device("cpu")])


def test_model_device_follows_parameters():
    net = torch.nn.Linear(2, 1)
    assert device_mod.model_device(net) == torch.device("cpu")
    assert device_mod.model_device(lambda X: X) is None
    assert device_mod.model_device(torch.nn.ReLU()) is None
    assert device_mod.model_device(net, "cpu") == torch.device("cpu")
