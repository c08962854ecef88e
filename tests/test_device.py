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



class _DeviceSeen(Exception):
    """Raised by a probe model with the device of the batch it was given."""


class _Probe(torch.nn.Module):
    def __init__(self, device):
        super().__init__()
        self.w = torch.nn.Parameter(torch.zeros(1, device=device))

    def forward(self, X):
        raise _DeviceSeen(X.device)


@pytest.mark.parametrize("where", ["train_epoch", "evaluate", "predict"])
def test_training_functions_compute_where_the_model_is(where):
    """Batches go to the device of an nn.Module's parameters ("meta" stands for a GPU
    here); a plain function, like 3.6's from-scratch net, gets them where they are."""
    batches = [(torch.zeros(2, 1, 28, 28), torch.zeros(2, dtype=torch.long))]
    run = {"train_epoch": lambda net: d2l.train_epoch_ch3(net, batches, None, None),
           "evaluate": lambda net: d2l.evaluate_accuracy(net, batches),
           "predict": lambda net: d2l.predict_ch3(net, batches, n=2)}[where]
    for net, expected in ((_Probe("meta"), "meta"), (_Probe("cpu"), "cpu")):
        with pytest.raises(_DeviceSeen) as seen:
            run(net)
        assert seen.value.args[0] == torch.device(expected)

    def plain(X):
        raise _DeviceSeen(X.device)

    with pytest.raises(_DeviceSeen) as seen:
        run(plain)
    assert seen.value.args[0] == torch.device("cpu")


def test_unavailable_device_for_the_loader_is_a_clear_error(monkeypatch, fashion_mnist_root):
    monkeypatch.setattr(device_mod, "available_devices", lambda: ["cpu"])
    with pytest.raises(RuntimeError, match=r"'cuda' is not available.*Available: cpu"):
        d2l.load_data_fashion_mnist(256, device="cuda")
