"""TensorBatches: minibatches taken from a dataset held in memory as one tensor.

The book's pipeline turns every image into a PIL object and back through ToTensor, in
worker processes, on every epoch. Here the whole dataset is one uint8 tensor (on the
CPU or the GPU); an epoch is one random order of it, each batch gathers the next
``batch_size`` rows of that order and turns them into float exactly as ToTensor does
(``uint8 / 255``): two small tensor operations per batch, nothing per image.
With ``resize``, each batch is resized as it is taken (PIL's antialiased bilinear on
uint8, the same values as ``transforms.Resize`` on the CPU), so no resized copy of the
whole dataset is ever held in memory.
"""

import math

import torch

from .checks import check_positive_int


def _resize(images, size):
    """Resize uint8 images (B, C, H, W) to ``size``, as PIL's bilinear Resize does."""
    if images.device.type == "cpu":  # uint8 kernels: PIL's fixed-point arithmetic, exactly
        return torch.nn.functional.interpolate(
            images, size=size, mode="bilinear", align_corners=False, antialias=True)
    x = torch.nn.functional.interpolate(  # GPUs resize in float: within one gray level
        images.float(), size=size, mode="bilinear", align_corners=False, antialias=True)
    return x.round_().clamp_(0, 255).to(torch.uint8)


def _to_float(images):
    """uint8 -> float32 in [0, 1] in one pass, bit for bit what ToTensor gives (x / 255)."""
    return torch.div(images, 255)


class TensorBatches:
    """Iterable of ``(X, y)`` minibatches over in-memory tensors.

    ``images`` is uint8 of shape (N, C, H, W) and is yielded as float32 in [0, 1];
    ``labels`` is int64 of shape (N,). With ``shuffle=True`` each pass draws a new
    order from torch's global generator, so ``torch.manual_seed`` makes runs repeatable.
    ``resize`` (a pair (height, width)) resizes every batch as it is yielded.
    """

    def __init__(self, images, labels, batch_size, shuffle=False, device=None, resize=None):
        check_positive_int(batch_size, "batch_size")
        if images.dtype != torch.uint8 or images.dim() != 4:
            raise ValueError(
                f"images must be uint8 of shape (N, C, H, W), got {images.dtype} "
                f"of shape {tuple(images.shape)}")
        if labels.shape != (images.shape[0],):
            raise ValueError(
                f"labels must have shape ({images.shape[0]},) to match the images, "
                f"got {tuple(labels.shape)}")
        if device is not None:
            images, labels = images.to(device), labels.to(device)
        self.images, self.labels = images.contiguous(), labels.long()
        self.batch_size, self.shuffle, self.resize = batch_size, shuffle, resize

    @property
    def device(self):
        return self.images.device

    @property
    def shape(self):
        """The shape of one yielded image, (C, H, W)."""
        return (self.images.shape[1], *(self.resize or self.images.shape[2:]))

    @property
    def num_examples(self):
        return self.images.shape[0]

    def __len__(self):
        return math.ceil(self.num_examples / self.batch_size)

    def __iter__(self):
        # Each image is one row of C*H*W bytes. A shuffled batch is gathered with
        # index_select, which copies whole rows (a memcpy each), straight into a small
        # batch that stays in cache; no shuffled copy of the whole dataset is made.
        rows = self.images.view(self.num_examples, -1)
        order = torch.randperm(self.num_examples).to(self.device) if self.shuffle else None
        for start in range(0, self.num_examples, self.batch_size):
            if order is None:
                X = rows[start:start + self.batch_size]
                y = self.labels[start:start + self.batch_size]
            else:
                idx = order[start:start + self.batch_size]
                X, y = rows.index_select(0, idx), self.labels.index_select(0, idx)
            X = X.view(-1, *self.images.shape[1:])
            if self.resize is not None:
                X = _resize(X, self.resize)
            yield _to_float(X), y

    def __repr__(self):
        return (f"TensorBatches({self.num_examples} examples of shape "
                f"{self.shape}, batch_size={self.batch_size}, "
                f"shuffle={self.shuffle}, device={self.device})")
