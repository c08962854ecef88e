"""Training loop of chapter 3: one epoch, the whole run with a live curve, predictions."""

import torch

from .animator import Animator
from .checks import check_positive_int
from .device import model_device
from .fashion_mnist import get_fashion_mnist_labels
from .figure import show_images
from .metrics import Accumulator, count_correct, evaluate_accuracy
from .timer import Timer


def train_epoch_ch3(net, train_iter, loss, updater, device=None):
    """Train a model within one epoch; return (mean training loss, training accuracy)."""
    if isinstance(net, torch.nn.Module):
        net.train()  # Set the model to training mode
    device = model_device(net, device)
    metric = Accumulator(3)  # Sum of training loss, no. of correct predictions, no. of examples
    for X, y in train_iter:
        if device is not None:
            X, y = X.to(device), y.to(device)
        y_hat = net(X)
        l = loss(y_hat, y)
        if l.dim() == 0:
            raise ValueError("loss must return one value per example; "
                             "for nn.CrossEntropyLoss pass reduction='none'")
        if isinstance(updater, torch.optim.Optimizer):
            # Using PyTorch's built-in optimizer & loss criterion
            updater.zero_grad()
            l.mean().backward()
            updater.step()
        else:
            # Using a custom built optimizer & loss criterion
            l.sum().backward()
            updater(X.shape[0])
        metric.add(l.detach().sum(), count_correct(y_hat.detach(), y), y.numel())
    return metric[0] / metric[2], metric[1] / metric[2]


def train_ch3(net, train_iter, test_iter, loss, num_epochs, updater, device=None):
    """Train a model (book 3.6): a live curve, one log line per epoch, and the final metrics.

    Returns a dict with ``train_loss``, ``train_acc``, ``test_acc`` (of the last epoch)
    and ``seconds`` (wall time of the whole run).
    """
    check_positive_int(num_epochs, "num_epochs")
    device = model_device(net, device)
    animator = Animator(xlabel="epoch", xlim=[1, num_epochs], ylim=[0.3, 0.9],
                        legend=["train loss", "train acc", "test acc"])
    timer = Timer()
    for epoch in range(num_epochs):
        train_loss, train_acc = train_epoch_ch3(net, train_iter, loss, updater, device)
        test_acc = evaluate_accuracy(net, test_iter, device)
        animator.add(epoch + 1, (train_loss, train_acc, test_acc))
        print(f"epoch {epoch + 1:2d}/{num_epochs}: loss {train_loss:.4f}, "
              f"train acc {train_acc:.4f}, test acc {test_acc:.4f}, {timer.stop():.2f} s",
              flush=True)
        timer.start()
    return {"train_loss": train_loss, "train_acc": train_acc, "test_acc": test_acc,
            "seconds": timer.sum()}


def predict_ch3(net, test_iter, n=6, device=None):
    """Predict labels (book 3.6): show n test images with true and predicted labels.

    Returns ``(true_labels, predicted_labels)`` as lists of text labels.
    """
    check_positive_int(n, "n")
    if isinstance(net, torch.nn.Module):
        net.eval()  # Set the model to evaluation mode
    device = model_device(net, device)
    X, y = next(iter(test_iter))
    X, y = X[:n], y[:n]
    if device is not None:
        X = X.to(device)
    with torch.no_grad():
        preds = net(X).argmax(dim=1)
    trues = get_fashion_mnist_labels(y)
    preds = get_fashion_mnist_labels(preds)
    titles = [true + "\n" + pred for true, pred in zip(trues, preds)]
    show_images(X[:, 0], 1, len(titles), titles=titles)
    return trues, preds
