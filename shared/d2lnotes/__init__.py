"""d2lnotes: the small helper package behind the d2l-notes notebooks.

Names and signatures follow the book's ``d2l`` package (PyTorch edition, 0.17) so a
reader can move between the book and these notes: ``import d2lnotes as d2l``.

Each helper lives in a small module with one job. Attributes are imported lazily
(PEP 562), so ``import d2lnotes`` does not pull in matplotlib or torchvision until a
notebook actually uses a plotting or dataset helper.
"""

import importlib

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS = {
    "resolve_device": "device",
    "try_gpu": "device",
    "try_all_gpus": "device",
    "available_devices": "device",
    "use_svg_display": "figure",
    "set_figsize": "figure",
    "set_axes": "figure",
    "plot": "figure",
    "show_images": "images",
    "Animator": "animator",
    "Timer": "timer",
    "synthetic_data": "linear",
    "linreg": "linear",
    "squared_loss": "linear",
    "sgd": "linear",
    "load_array": "data",
    "get_dataloader_workers": "data",
    "data_dir": "paths",
    "get_fashion_mnist_labels": "fashion_mnist",
    "fashion_mnist_datasets": "fashion_mnist",
    "load_data_fashion_mnist": "fashion_mnist",
    "load_data_fashion_mnist_classic": "classic",
    "TensorBatches": "batches",
    "Accumulator": "metrics",
    "accuracy": "metrics",
    "evaluate_accuracy": "metrics",
    "train_epoch_ch3": "train",
    "train_ch3": "train",
    "predict_ch3": "train",
    "exercises": "exercise",
    "record": "results",
    "recorded": "results",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'd2lnotes' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
