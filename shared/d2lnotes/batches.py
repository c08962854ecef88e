"""TensorBatches: minibatches sliced from a dataset held in memory as one tensor.

The book's pipeline turns every image into a PIL object and back through ToTensor, in
worker processes, on every epoch. Here the whole dataset is one uint8 tensor (on the
CPU or the GPU); an epoch is one shuffle of it and each batch is a slice of that
shuffle, converted to float exactly as ToTensor does (``uint8 / 255``).
"""

import math

import torch

from .checks import check_positive_int


class TensorBatches:
    """Iterable of ``(X, y)`` minibatches over in-memory tensors.

    ``images`` is uint8 of shape (N, C, H, W) and is yielded as float32 in [0, 1];
    ``labels`` is int64 of shape (N,). With ``shuffle=True`` each pass draws a new
    order from torch's global generator, so ``torch.manual_seed`` makes runs repeatable.
    """

    def __init__(self, images, labels, batch_size, shuffle=False, device=None):
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
        self.images, self.labels = images, labels.long()
        self.batch_size, self.shuffle = batch_size, shuffle

    @property
    def device(self):
        return self.images.device

    @property
    def num_examples(self):
        return self.images.shape[0]

    def __len__(self):
        return math.ceil(self.num_examples / self.batch_size)

    def __iter__(self):
        images, labels = self.images, self.labels
        if self.shuffle:
            # One gather per epoch; every batch after it is a view, not a copy.
            order = torch.randperm(self.num_examples).to(images.device)
            images, labels = images[order], labels[order]
        for start in range(0, self.num_examples, self.batch_size):
            stop = start + self.batch_size
            yield images[start:stop].to(torch.float32).div_(255), labels[start:stop]

    def __repr__(self):
        return (f"TensorBatches({self.num_examples} examples of shape "
                f"{tuple(self.images.shape[1:])}, batch_size={self.batch_size}, "
                f"shuffle={self.shuffle}, device={self.device})")
