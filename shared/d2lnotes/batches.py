"""TensorBatches (3.5): minibatches of a dataset held in memory as one uint8 tensor.

The class is taught in 3.5 exactly as it stands here (a test compares the two).
Resizing each batch, for ``load_data_fashion_mnist(..., resize=...)``, lives in
fashion_mnist.py.
"""

import math

import torch


class TensorBatches:  #@save
    """Iterate over minibatches of images held in memory as one uint8 tensor."""

    def __init__(self, images, labels, batch_size, shuffle=False, device=None):
        if images.dtype != torch.uint8:  # / 255 below expects pixels 0..255
            raise ValueError(f"images must be uint8 pixels 0..255, got {images.dtype}")
        self.images, self.labels = images.to(device), labels.to(device)
        self.batch_size, self.shuffle = batch_size, shuffle
        self.num_examples = len(labels)

    def __len__(self):
        return math.ceil(self.num_examples / self.batch_size)

    def __iter__(self):
        if self.shuffle:  # a new random order in every epoch
            indices = torch.randperm(self.num_examples).to(self.images.device)
        else:  # the order of the files
            indices = torch.arange(self.num_examples, device=self.images.device)
        for i in range(0, self.num_examples, self.batch_size):
            batch = indices[i:i + self.batch_size]  # the last batch may be shorter
            X = self.images.index_select(0, batch)  # gather these images, in this order
            yield X / 255, self.labels.index_select(0, batch)  # as ToTensor: [0, 1]
