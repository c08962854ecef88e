"""The book's helpers in d2lnotes: behaviour on real inputs, and clear errors on bad ones."""

import subprocess
import sys
import time

import matplotlib
import pytest
import torch
from torch import nn

import d2lnotes as d2l

matplotlib.use("Agg")


def test_lazy_import_exposes_every_name():
    for name in d2l.__all__:
        assert getattr(d2l, name) is not None
    with pytest.raises(AttributeError):
        d2l.no_such_helper  # noqa: B018


def test_importing_the_package_loads_neither_matplotlib_nor_torchvision():
    code = ("import sys, d2lnotes; "
            "print(sorted({'matplotlib', 'torchvision'} & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_timer_records_laps():
    timer = d2l.Timer()
    time.sleep(0.01)
    first = timer.stop()
    timer.start()
    time.sleep(0.02)
    timer.stop()
    assert first >= 0.01 and timer.sum() >= 0.03
    assert timer.avg() == pytest.approx(timer.sum() / 2)
    assert timer.cumsum()[-1] == pytest.approx(timer.sum())


def test_synthetic_data_follows_the_model():
    torch.manual_seed(0)
    w, b = torch.tensor([2, -3.4]), 4.2
    X, y = d2l.synthetic_data(w, b, 1000)
    assert X.shape == (1000, 2) and y.shape == (1000, 1)
    residual = y - (X @ w + b).reshape(-1, 1)
    assert residual.std() == pytest.approx(0.01, rel=0.1)  # the noise level
    with pytest.raises(ValueError, match="num_examples must be a positive integer"):
        d2l.synthetic_data(w, b, 0)
    with pytest.raises(ValueError, match="w must be a vector"):
        d2l.synthetic_data(torch.ones(2, 2), b, 10)


def test_linreg_squared_loss_and_sgd_fit_a_line():
    torch.manual_seed(0)
    true_w, true_b = torch.tensor([2, -3.4]), 4.2
    features, labels = d2l.synthetic_data(true_w, true_b, 1000)
    w = torch.normal(0, 0.01, size=(2, 1), requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    data_iter = d2l.load_array((features, labels), 10)
    for _ in range(3):
        for X, y in data_iter:
            l = d2l.squared_loss(d2l.linreg(X, w, b), y)
            l.sum().backward()
            d2l.sgd([w, b], 0.03, X.shape[0])
    loss = d2l.squared_loss(d2l.linreg(features, w, b), labels).mean()
    assert loss < 1e-3
    assert (w.reshape(true_w.shape) - true_w).abs().max() < 0.01 and abs(b - true_b) < 0.01
    assert d2l.squared_loss(torch.tensor([3.0]), torch.tensor([1.0])).item() == 2.0


def test_load_array_batches_and_shuffles():
    X, y = torch.arange(10.0).reshape(5, 2), torch.arange(5)
    batches = list(d2l.load_array((X, y), 2, is_train=False))
    assert [len(b[1]) for b in batches] == [2, 2, 1]  # the last batch is smaller
    assert torch.equal(batches[0][0], X[:2])
    with pytest.raises(ValueError, match="batch_size must be a positive integer, got 0"):
        d2l.load_array((X, y), 0)


def test_dataloader_workers(monkeypatch):
    import multiprocessing

    monkeypatch.delenv("D2L_NUM_WORKERS", raising=False)
    monkeypatch.setattr(multiprocessing, "get_start_method", lambda allow_none=False: "spawn")
    assert d2l.get_dataloader_workers() == 0  # Windows and macOS spawn workers
    monkeypatch.setattr(multiprocessing, "get_start_method", lambda allow_none=False: "fork")
    assert 1 <= d2l.get_dataloader_workers() <= 4
    monkeypatch.setenv("D2L_NUM_WORKERS", "3")
    assert d2l.get_dataloader_workers() == 3
    monkeypatch.setenv("D2L_NUM_WORKERS", "many")
    with pytest.raises(ValueError, match="D2L_NUM_WORKERS must be an integer"):
        d2l.get_dataloader_workers()


def test_accumulator_and_accuracy():
    metric = d2l.Accumulator(2)
    metric.add(torch.tensor(3), 4)
    metric.add(1, 1.5)
    assert (metric[0], metric[1]) == (4.0, 5.5)
    metric.reset()
    assert metric[0] == 0.0
    with pytest.raises(ValueError, match="holds 2 values, got 1"):
        metric.add(1)
    y_hat = torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
    y = torch.tensor([0, 2])
    assert d2l.accuracy(y_hat, y) == 1.0
    assert d2l.accuracy(torch.tensor([0, 2]), y) == 2.0
    with pytest.raises(ValueError, match="do not match labels"):
        d2l.accuracy(y_hat, torch.tensor([0, 2, 1]))


def test_tensor_batches_rejects_float_images():
    """Images already divided by 255 would silently be divided again."""
    images, labels = torch.zeros(4, 1, 2, 2, dtype=torch.uint8), torch.zeros(4, dtype=torch.long)
    with pytest.raises(ValueError, match="images must be uint8"):
        d2l.TensorBatches(images.float(), labels, 2)


def test_tensor_batches_gathers_shuffled_batches_and_a_short_last_one():
    images = torch.arange(10, dtype=torch.uint8).reshape(10, 1, 1, 1) * 25
    labels = torch.arange(10)
    ordered = d2l.TensorBatches(images, labels, 4)
    assert len(ordered) == 3 and ordered.num_examples == 10
    batches = list(ordered)
    assert [len(y) for _, y in batches] == [4, 4, 2]  # the last batch is shorter
    assert torch.equal(torch.cat([y for _, y in batches]), labels)  # file order
    X, y = batches[0]
    assert X.dtype == torch.float32 and torch.equal(X.flatten(), images[:4].flatten() / 255)
    shuffled = d2l.TensorBatches(images, labels, 4, shuffle=True)
    torch.manual_seed(0)
    first = torch.cat([y for _, y in shuffled])
    second = torch.cat([y for _, y in shuffled])
    assert sorted(first.tolist()) == list(range(10)) and not torch.equal(first, second)
    for X, y in shuffled:  # every image stays with its label
        assert torch.equal((X.flatten() * 255).round().long(), y * 25)


def _softmax_net():
    net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    nn.init.normal_(net[1].weight, std=0.01)
    nn.init.zeros_(net[1].bias)
    return net


def test_train_ch3_learns_fashion_mnist(fashion_mnist_root, capsys, monkeypatch):
    shown = _pretend_jupyter(monkeypatch)
    torch.manual_seed(0)
    train_iter, test_iter = d2l.load_data_fashion_mnist(256, root=fashion_mnist_root)
    net = _softmax_net()
    before = d2l.evaluate_accuracy(net, test_iter)
    loss = nn.CrossEntropyLoss(reduction="none")
    result = d2l.train_ch3(net, train_iter, test_iter, loss, 2,
                           torch.optim.SGD(net.parameters(), lr=0.1))
    assert before < 0.3 and result["test_acc"] > 0.75 and result["train_loss"] < 0.7
    assert 0.7 < result["train_acc"] < 1 and result["seconds"] > 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2 and lines[-1].startswith("epoch  2/2: loss ")
    assert [h.updates for _, h in shown] == [1]  # one figure, shown once, then redrawn
    assert result["test_acc"] == pytest.approx(d2l.evaluate_accuracy(net, test_iter))
    trues, preds = d2l.predict_ch3(net, test_iter, n=4)
    assert trues == d2l.get_fashion_mnist_labels(next(iter(test_iter))[1][:4])
    assert len(preds) == 4 and sum(t == p for t, p in zip(trues, preds)) >= 2
    assert len(shown) == 1


def test_train_epoch_with_the_books_sgd_updater(fashion_mnist_root):
    torch.manual_seed(0)
    train_iter, test_iter = d2l.load_data_fashion_mnist(256, root=fashion_mnist_root)
    W = torch.normal(0, 0.01, size=(784, 10), requires_grad=True)
    b = torch.zeros(10, requires_grad=True)

    def net(X):
        return torch.softmax(X.reshape(-1, 784) @ W + b, dim=1)

    def cross_entropy(y_hat, y):
        return -torch.log(y_hat[range(len(y_hat)), y])

    loss, acc = d2l.train_epoch_ch3(net, train_iter, cross_entropy,
                                    lambda batch_size: d2l.sgd([W, b], 0.1, batch_size))
    assert loss < 1.0 and acc > 0.65
    assert d2l.evaluate_accuracy(net, test_iter) > 0.7


def test_training_rejects_a_reduced_loss_and_bad_epochs(fashion_mnist_root):
    train_iter, test_iter = d2l.load_data_fashion_mnist(256, root=fashion_mnist_root)
    net = _softmax_net()
    updater = torch.optim.SGD(net.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="reduction='none'"):
        d2l.train_epoch_ch3(net, train_iter, nn.CrossEntropyLoss(), updater)
    with pytest.raises(ValueError, match="num_epochs must be a positive integer"):
        d2l.train_ch3(net, train_iter, test_iter, nn.CrossEntropyLoss(reduction="none"), 0,
                      updater)


def test_plot_accepts_tensors_lists_and_arrays():
    x = torch.arange(0, 3, 0.1)
    axes = d2l.plot(x, [x ** 2, 2 * x - 1], "x", "f(x)", legend=["f", "tangent"])
    assert len(axes.get_lines()) == 2 and axes.get_xlabel() == "x"
    assert [t.get_text() for t in axes.get_legend().get_texts()] == ["f", "tangent"]
    axes = d2l.plot(x, [x * k for k in range(6)])
    assert len(axes.get_lines()) == 6  # more curves than default formats: none dropped
    axes = d2l.plot([1, 2, 3], xscale="log", yscale="log")
    assert axes.get_xscale() == "log" and list(axes.get_lines()[0].get_ydata()) == [1, 2, 3]
    d2l.set_figsize((2, 1))
    assert tuple(matplotlib.pyplot.rcParams["figure.figsize"]) == (2, 1)


def test_show_images_handles_channels_and_titles():
    imgs = torch.rand(3, 1, 8, 8)
    axes = d2l.show_images(imgs, 1, 3, titles=["a", "b", "c"])
    assert [ax.get_title() for ax in axes] == ["a", "b", "c"]
    assert axes[0].get_images()[0].get_array().shape == (8, 8)
    axes = d2l.show_images(torch.rand(2, 3, 4, 4), 1, 2)
    assert axes[1].get_images()[0].get_array().shape == (4, 4, 3)


class _Handle:
    """What IPython's display(..., display_id=True) returns: a handle to update."""

    def __init__(self, fig):
        self.fig, self.updates = fig, 0

    def update(self, fig):
        assert fig is self.fig  # the same figure is redrawn, never a new one
        self.updates += 1


def _pretend_jupyter(monkeypatch):
    """Run Animator as in Jupyter; return the list of (figure, handle) it displayed."""
    from d2lnotes import animator as animator_mod

    shown = []

    def display(obj, display_id=None):
        assert display_id is True
        shown.append((obj, _Handle(obj)))
        return shown[-1][1]

    monkeypatch.setattr(animator_mod, "get_ipython", lambda: object())
    monkeypatch.setattr(animator_mod.display, "display", display)
    return shown


def test_animator_without_ipython_keeps_the_data(capsys):
    animator = d2l.Animator(xlabel="epoch", legend=["a", "b"], xlim=[1, 3])
    for epoch in range(1, 4):
        animator.add(epoch, (epoch * 0.1, epoch * 0.2))
    assert animator.X == [[1.0, 2.0, 3.0]] * 2
    assert animator.Y[1] == pytest.approx([0.2, 0.4, 0.6])
    assert len(animator.axes[0].get_lines()) == 2
    assert animator.handle is None and capsys.readouterr().out == ""  # nothing shown
    with pytest.raises(ValueError, match="expected 2 y values"):
        animator.add(4, (1.0, 2.0, 3.0))


def test_animator_in_jupyter_displays_one_figure_and_updates_it(monkeypatch):
    shown = _pretend_jupyter(monkeypatch)
    animator = d2l.Animator(xlabel="epoch", legend=["loss"], xlim=[1, 4])
    # closed for pyplot, so the inline backend does not show a second copy at the cell's end
    assert not matplotlib.pyplot.fignum_exists(animator.fig.number)
    for epoch in range(1, 5):
        animator.add(epoch, 1 / epoch)
    [(fig, handle)] = shown
    assert fig is animator.fig and handle.updates == 3 and animator.handle is handle
    assert list(animator.axes[0].get_lines()[0].get_ydata()) == [1, 1 / 2, 1 / 3, 1 / 4]


def test_record_prints_outside_jupyter(capsys):
    # Returns nothing, so the last line of a notebook cell displays nothing either.
    assert d2l.record(test_acc=torch.tensor(0.8312), seconds=2, note="cpu") is None
    assert d2l.recorded()["test_acc"] == pytest.approx(0.8312)
    assert capsys.readouterr().out.strip() == "recorded: test_acc=0.8312, seconds=2, note=cpu"
    assert d2l.recorded()["note"] == "cpu"
    with pytest.raises(ValueError, match="diverged"):
        d2l.record(loss=float("nan"))
    with pytest.raises(ValueError, match="single number"):
        d2l.record(w=torch.ones(2))
    with pytest.raises(TypeError, match="number or a string"):
        d2l.record(w=[1, 2])
    with pytest.raises(ValueError, match="at least one"):
        d2l.record()


def test_importing_a_module_does_not_shadow_a_helper():
    """A submodule named like a helper would replace it on the package once imported."""
    import importlib
    import pkgutil

    modules = [m.name for m in pkgutil.iter_modules(d2l.__path__)]
    for name in modules:
        importlib.import_module(f"d2lnotes.{name}")
    assert not set(modules) & set(d2l.__all__)
    assert callable(d2l.record) and callable(d2l.plot)
