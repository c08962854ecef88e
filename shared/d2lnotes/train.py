"""Training loop of chapter 3 (book 3.6): one epoch, a whole run with a live curve, prediction."""

import torch

import d2lnotes as d2l

from .animator import Animator
from .metrics import Accumulator, accuracy, evaluate_accuracy


def train_epoch_ch3(net, train_iter, loss, updater):  #@save
    """Train a model within one epoch; return (mean training loss, training accuracy)."""
    if isinstance(net, torch.nn.Module):
        net.train()  # Set the model to training mode
        device = next(iter(net.parameters())).device  # compute where the model is
    else:
        device = None  # a plain function: use each batch where it is
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
        metric.add(float(l.detach().sum()), accuracy(y_hat, y), y.numel())
    return metric[0] / metric[2], metric[1] / metric[2]


def train_ch3(net, train_iter, test_iter, loss, num_epochs, updater):  #@save
    """Train a model: a live curve, one line per epoch; return the final metrics.

    The dict returned holds ``train_loss``, ``train_acc``, ``test_acc`` (of the last
    epoch) and ``seconds`` (the time of the whole run).
    """
    if not (isinstance(num_epochs, int) and num_epochs > 0):
        raise ValueError(f"num_epochs must be a positive integer, got {num_epochs!r}")
    animator = Animator(xlabel="epoch", xlim=[1, num_epochs], ylim=[0.3, 0.9],
                        legend=["train loss", "train acc", "test acc"])
    timer = d2l.Timer()
    for epoch in range(num_epochs):
        train_loss, train_acc = train_epoch_ch3(net, train_iter, loss, updater)
        test_acc = evaluate_accuracy(net, test_iter)
        animator.add(epoch + 1, (train_loss, train_acc, test_acc))
        print(f"epoch {epoch + 1:2d}/{num_epochs}: loss {train_loss:.4f}, "
              f"train acc {train_acc:.4f}, test acc {test_acc:.4f}, {timer.stop():.2f} s")
        timer.start()
    return {"train_loss": train_loss, "train_acc": train_acc, "test_acc": test_acc,
            "seconds": timer.sum()}


def predict_ch3(net, test_iter, n=6):  #@save
    """Predict labels: show n test images titled with the true and the predicted label.

    Returns ``(true_labels, predicted_labels)`` as lists of text labels.
    """
    X, y = next(iter(test_iter))
    X, y = X[:n], y[:n]
    if isinstance(net, torch.nn.Module):
        net.eval()  # Set the model to evaluation mode
        X = X.to(next(iter(net.parameters())).device)
    with torch.no_grad():
        preds = net(X).argmax(axis=1)
    trues = d2l.get_fashion_mnist_labels(y)
    preds = d2l.get_fashion_mnist_labels(preds)
    titles = [true + "\n" + pred for true, pred in zip(trues, preds)]
    d2l.show_images(X, 1, len(titles), titles=titles)
    return trues, preds
