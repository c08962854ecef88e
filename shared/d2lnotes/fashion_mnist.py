"""Fashion-MNIST, offline first: find the files, check them, load them fast.

Files are looked up in this order, and nothing a user already has is overwritten:
1. ``<data_dir>/FashionMNIST/raw/`` (torchvision's layout, plain or ``.gz``);
2. a system copy, such as Debian's ``dataset-fashion-mnist`` package;
3. a download through torchvision.
"""

import gzip
import os
import shutil
import tempfile
from pathlib import Path

import torch

from .batches import TensorBatches
from .checks import BadValueError, SetupError, check_positive_int, is_positive_int
from .paths import data_dir

FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
         "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
# Where operating systems ship the original .gz files (Debian: dataset-fashion-mnist).
SYSTEM_DIRS = [Path("/usr/share/datasets/fashion-mnist")]
SIZES = {True: 60000, False: 10000}
TEXT_LABELS = ("t-shirt", "trouser", "pullover", "dress", "coat",
               "sandal", "shirt", "sneaker", "bag", "ankle boot")


def get_fashion_mnist_labels(labels):
    """Return text labels for the Fashion-MNIST dataset."""
    if hasattr(labels, "tolist"):
        labels = labels.tolist()
    return [TEXT_LABELS[int(i)] for i in labels]


def _how_to_get_files(raw):
    return (
        "Get the four Fashion-MNIST files "
        f"({', '.join(name + '.gz' for name in FILES)}) in one of these ways:\n"
        "  * on Debian or Ubuntu: sudo apt-get install dataset-fashion-mnist\n"
        "  * download them from https://github.com/zalandoresearch/fashion-mnist "
        f"(folder data/fashion) and put them in {raw}\n"
        "  * or point D2L_DATA_DIR at a folder whose FashionMNIST/raw/ holds them.")


def _gunzip(src, dst):
    """Decompress src to dst through a temporary file, so a failure leaves no half file."""
    fd, tmp = tempfile.mkstemp(dir=dst.parent, prefix=dst.name, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out, gzip.open(src, "rb") as f:
            shutil.copyfileobj(f, out)
        os.replace(tmp, dst)
    except (OSError, EOFError) as err:
        os.unlink(tmp)
        raise SetupError(
            f"{src} is truncated or not a gzip file ({err}). Replace it with a good copy.\n"
            + _how_to_get_files(dst.parent)) from None


def _ensure_files(root):
    """Make sure torchvision finds the four raw files under ``root``; return the raw folder."""
    raw = Path(root) / "FashionMNIST" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    missing = []
    for name in FILES:
        if (raw / name).exists():
            continue
        sources = [raw / (name + ".gz")] + [d / (name + ".gz") for d in SYSTEM_DIRS]
        source = next((s for s in sources if s.is_file()), None)
        if source is None:
            missing.append(name)
        else:
            _gunzip(source, raw / name)
    if missing:
        from torchvision.datasets import FashionMNIST

        try:
            FashionMNIST(str(root), train=True, download=True)
        except Exception as err:  # no network, proxy, server down...
            raise SetupError(
                f"Fashion-MNIST is not in {raw} and could not be downloaded ({err}).\n"
                + _how_to_get_files(raw)) from None
    return raw


def _check(images, labels, train, raw):
    """Reject anything that is not the real Fashion-MNIST split."""
    n = SIZES[train]
    problems = []
    if tuple(images.shape) != (n, 28, 28) or images.dtype != torch.uint8:
        problems.append(f"images are {images.dtype} {tuple(images.shape)}, "
                        f"expected uint8 ({n}, 28, 28)")
    if tuple(labels.shape) != (n,):
        problems.append(f"labels have shape {tuple(labels.shape)}, expected ({n},)")
    elif labels.min() < 0 or labels.max() > 9:
        problems.append(f"labels span {int(labels.min())}..{int(labels.max())}, expected 0..9")
    if problems:
        raise SetupError(
            f"The Fashion-MNIST {'training' if train else 'test'} set in {raw} is wrong: "
            + "; ".join(problems) + ". Delete the bad files and run again.\n"
            + _how_to_get_files(raw))


def fashion_mnist_datasets(transform=None, root=None):
    """The torchvision Fashion-MNIST datasets ``(train, test)``, found offline first and checked."""
    from torchvision.datasets import FashionMNIST

    root = Path(root) if root is not None else data_dir()
    raw = _ensure_files(root)
    datasets = []
    for train in (True, False):
        try:
            dataset = FashionMNIST(str(root), train=train, transform=transform, download=False)
        except Exception as err:  # torchvision asserts on short files and bad headers
            raise SetupError(
                f"Could not read Fashion-MNIST from {raw}: a file is truncated or corrupt "
                f"({type(err).__name__}: {err}). Delete the bad files and run again.\n"
                + _how_to_get_files(raw)) from None
        _check(dataset.data, dataset.targets, train, raw)
        datasets.append(dataset)
    return tuple(datasets)


def _raw_stamp(raw):
    return [[name, (raw / name).stat().st_size, (raw / name).stat().st_mtime_ns] for name in FILES]


def _split_tensors(root):
    """``[(images, labels), (images, labels)]`` for train and test, as uint8 and int64.

    The first load reads the files through torchvision and checks them; the tensors are
    then cached beside the raw files (our own file, rebuilt whenever a raw file changes),
    so later loads skip importing torchvision, which costs seconds on its own.
    """
    raw = _ensure_files(root)
    cache = raw.parent / "d2lnotes-tensors.pt"
    stamp = _raw_stamp(raw)
    try:
        cached = torch.load(cache, weights_only=True)
        if cached["stamp"] == stamp:
            return cached["splits"]
    except Exception:  # missing, stale or unreadable: rebuild it from the raw files
        pass
    splits = [(d.data, d.targets) for d in fashion_mnist_datasets(root=root)]
    fd, tmp = tempfile.mkstemp(dir=cache.parent, prefix=cache.name, suffix=".part")
    os.close(fd)
    torch.save({"stamp": stamp, "splits": splits}, tmp)
    os.replace(tmp, cache)
    return splits


def _resize(images, size):
    """Resize uint8 images (B, C, H, W) to ``size``, as PIL's bilinear Resize does."""
    if images.device.type == "cpu":  # uint8 kernels: PIL's fixed-point arithmetic, exactly
        return torch.nn.functional.interpolate(
            images, size=size, mode="bilinear", align_corners=False, antialias=True)
    x = torch.nn.functional.interpolate(  # GPUs resize in float: within one gray level
        images.float(), size=size, mode="bilinear", align_corners=False, antialias=True)
    return x.round_().clamp_(0, 255).to(torch.uint8)


class _ResizedBatches(TensorBatches):
    """TensorBatches that resize each batch as it is taken, before ``/ 255`` as PIL's Resize
    comes before ToTensor: the values are ``transforms.Resize`` + ``ToTensor``'s on the CPU,
    and no resized copy of the whole dataset is ever held in memory."""

    def __init__(self, images, labels, batch_size, shuffle=False, device=None, size=None):
        super().__init__(images, labels, batch_size, shuffle, device)
        self.size = size

    def __iter__(self):
        if self.shuffle:
            indices = torch.randperm(self.num_examples).to(self.images.device)
        else:
            indices = torch.arange(self.num_examples, device=self.images.device)
        for i in range(0, self.num_examples, self.batch_size):
            batch = indices[i:i + self.batch_size]
            X = _resize(self.images.index_select(0, batch), self.size)
            yield X / 255, self.labels.index_select(0, batch)


def _size_pair(resize):
    pair = (resize, resize) if isinstance(resize, int) else resize
    if isinstance(pair, (tuple, list)) and len(pair) == 2 and all(map(is_positive_int, pair)):
        return tuple(pair)
    raise BadValueError(f"resize must be a positive int or a pair (height, width), got {resize!r}")


def load_data_fashion_mnist(batch_size, resize=None, device=None, root=None):
    """Download the Fashion-MNIST dataset and then load it into memory.

    Returns ``(train_iter, test_iter)``: :class:`TensorBatches` that hold the whole
    dataset as tensors (on ``device``, default cpu) and yield float32 images of shape
    (batch, 1, H, W) with the values ToTensor gives, and int64 labels. The training
    iterator reshuffles every epoch; the test iterator keeps the file's order.
    """
    check_positive_int(batch_size, "batch_size")
    size = _size_pair(resize) if resize is not None else None
    if device is not None:
        from .device import resolve_device

        device = resolve_device(device)
    root = Path(root) if root is not None else data_dir()
    iters = []
    for (images, labels), train in zip(_split_tensors(root), (True, False)):
        images = images.unsqueeze(1)  # (N, 1, 28, 28): one gray channel
        if size is None:
            iters.append(TensorBatches(images, labels, batch_size, shuffle=train, device=device))
        else:
            iters.append(_ResizedBatches(images, labels, batch_size, shuffle=train,
                                         device=device, size=size))
    return tuple(iters)
