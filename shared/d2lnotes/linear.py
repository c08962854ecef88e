"""Linear regression from scratch (book 3.2): data, model, loss and optimizer."""

import torch


def synthetic_data(w, b, num_examples):
    """Generate y = Xw + b + noise."""
    if not isinstance(num_examples, int) or num_examples < 1:
        raise ValueError(f"num_examples must be a positive integer, got {num_examples!r}")
    w = torch.as_tensor(w, dtype=torch.float32)
    if w.dim() != 1:
        raise ValueError(f"w must be a vector (1-D tensor), got shape {tuple(w.shape)}")
    X = torch.normal(0, 1, (num_examples, len(w)))
    y = torch.matmul(X, w) + b
    y += torch.normal(0, 0.01, y.shape)
    return X, y.reshape((-1, 1))


def linreg(X, w, b):
    """The linear regression model."""
    return torch.matmul(X, w) + b


def squared_loss(y_hat, y):
    """Squared loss."""
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def sgd(params, lr, batch_size):
    """Minibatch stochastic gradient descent."""
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()
