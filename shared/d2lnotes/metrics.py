"""Counting correct predictions and summing metrics without a host sync per batch."""

import torch

from .device import model_device


class Accumulator:
    """For accumulating sums over `n` variables.

    Tensors are added as tensors (on their device) and turned into Python floats only
    when read, so a training loop does not wait for the GPU after every minibatch.
    """

    def __init__(self, n):
        self.data = [0.0] * n

    def add(self, *args):
        if len(args) != len(self.data):
            raise ValueError(f"Accumulator holds {len(self.data)} values, got {len(args)}")
        self.data = [a + (b.detach() if torch.is_tensor(b) else float(b))
                     for a, b in zip(self.data, args)]

    def reset(self):
        self.data = [0.0] * len(self.data)

    def __getitem__(self, idx):
        return float(self.data[idx])


def count_correct(y_hat, y):
    """Number of correct predictions as a 0-d tensor on y's device."""
    if y_hat.dim() > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(dim=1)
    if y_hat.shape != y.shape:
        raise ValueError(
            f"predictions of shape {tuple(y_hat.shape)} do not match labels of shape "
            f"{tuple(y.shape)}: pass scores of shape (batch, classes) or class indices "
            "of shape (batch,), with labels of shape (batch,)")
    return (y_hat.type(y.dtype) == y).sum()


def accuracy(y_hat, y):
    """Compute the number of correct predictions."""
    return float(count_correct(y_hat, y))


def evaluate_accuracy(net, data_iter, device=None):
    """Compute the accuracy for a model on a dataset (on the model's device by default)."""
    if isinstance(net, torch.nn.Module):
        net.eval()  # Set the model to evaluation mode
    device = model_device(net, device)
    metric = Accumulator(2)  # No. of correct predictions, no. of predictions
    with torch.no_grad():
        for X, y in data_iter:
            if device is not None:
                X, y = X.to(device), y.to(device)
            metric.add(count_correct(net(X), y), y.numel())
    return metric[0] / metric[1]
