"""One training run of section 3.7 in this process: one variant of the benchmark.

    python -m notestools.bench.variants fast|d2l|floor --out run.json [--epochs 10] ...

The bench starts one such process per run, so that every run starts equally cold and no
variant inherits another's state. All train 3.7's model (Flatten + Linear(784, 10), weights
N(0, 0.01²), CrossEntropyLoss(reduction='none'), SGD on the batch mean) from the same seed:

- ``fast``: d2lnotes, ``load_data_fashion_mnist`` (in memory) + ``train_ch3``;
- ``d2l``: the book's own package (``from d2l import torch as d2l``, found on PYTHONPATH):
  its ``load_data_fashion_mnist`` (torchvision dataset, ToTensor, DataLoader with its 4
  workers) + its ``train_ch3``, as a reader's script calls them;
- ``floor``: no helper at all: the same steps over batches sliced beforehand from one float
  tensor (file order, no shuffling), then the test accuracy: what any helper adds to.

``--examples N`` trains on the first N training examples (file order) instead of all 60000,
and tests on the whole test set as ever; the book's package gets them from the files it reads
(``book.prepare`` writes them), the others take them from the tensors they load.

Writes JSON: ``seconds`` (the training call, wall), ``epoch_seconds`` and ``phases`` (per
epoch: train, evaluate, rest = the plot and the log line), ``load_seconds``, the final
``train_loss``/``train_acc``/``test_acc``, ``train_examples``, torch's ``threads``.
"""

import argparse
import json
import sys
import time

VARIANTS = ("fast", "d2l", "floor")
TRAIN_EXAMPLES = 60000  # d2lnotes.fashion_mnist.SIZES[True], not imported here: that imports torch
PHASES = ("train", "evaluate", "rest")


class EpochClock:
    """Times the epochs of a book-style ``train_ch3`` from outside, leaving it unchanged.

    The book's and d2lnotes' ``train_ch3`` both look up ``train_epoch_ch3`` and
    ``evaluate_accuracy`` in their module's globals; while the clock runs, those names are
    wrapped to note when each call starts and ends and what it returned (the book's
    ``train_ch3`` returns nothing), and which modules were imported by then.
    """

    WRAPPED = ("train_epoch_ch3", "evaluate_accuracy")

    def __init__(self, train_ch3):
        self.namespace = train_ch3.__globals__
        self.marks = {name: [] for name in self.WRAPPED}  # (start, end) of every call
        self.returned = {}
        self.modules = []  # sys.modules' names as each epoch starts, and at the end

    def _timed(self, name, original):
        def timed(*args, **kwargs):
            if name == "train_epoch_ch3":
                self.modules.append(set(sys.modules))
            start = time.perf_counter()
            result = original(*args, **kwargs)
            self.marks[name].append((start, time.perf_counter()))
            self.returned[name] = result
            return result

        return timed

    def __enter__(self):
        self.originals = {name: self.namespace[name] for name in self.WRAPPED}
        for name, original in self.originals.items():
            self.namespace[name] = self._timed(name, original)
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc_info):
        self.end = time.perf_counter()
        self.modules.append(set(sys.modules))
        self.namespace.update(self.originals)
        return False

    @property
    def epochs_done(self):
        return len(self.marks["evaluate_accuracy"])

    def report(self):
        """Seconds of the whole call, of each epoch (one train_epoch_ch3 start to the next,
        the last to the end) and of its phases; modules the first epoch imported."""
        trains, evals = self.marks["train_epoch_ch3"], self.marks["evaluate_accuracy"]
        next_starts = [start for start, _ in trains[1:]] + [self.end]
        phases = {"train": [e[0] - t[0] for t, e in zip(trains, evals)],
                  "evaluate": [e[1] - e[0] for e in evals],
                  "rest": [n - e[1] for e, n in zip(evals, next_starts)]}
        train_loss, train_acc = self.returned["train_epoch_ch3"]
        return {"seconds": self.end - self.start,
                "setup_seconds": trains[0][0] - self.start,
                "epoch_seconds": [n - t[0] for t, n in zip(trains, next_starts)],
                "phases": phases,
                "first_epoch_imports": sorted(self.modules[1] - self.modules[0]),
                "train_loss": train_loss, "train_acc": train_acc,
                "test_acc": self.returned["evaluate_accuracy"]}


def softmax_regression(seed, device="cpu"):
    """Section 3.7's model with its initialization, the same for every run of a seed."""
    import torch
    from torch import nn

    torch.manual_seed(seed)
    net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))

    def init_weights(m):
        if type(m) is nn.Linear:
            nn.init.normal_(m.weight, std=0.01)

    net.apply(init_weights)
    return net.to(device)


def train_with(train_ch3, train_iter, test_iter, epochs, lr, seed, device="cpu"):
    """3.7's model, loss and optimizer trained by a book-style ``train_ch3``, timed."""
    import torch
    from torch import nn

    net = softmax_regression(seed, device)
    loss = nn.CrossEntropyLoss(reduction="none")
    trainer = torch.optim.SGD(net.parameters(), lr=lr)
    note = None
    with EpochClock(train_ch3) as clock:
        try:
            train_ch3(net, train_iter, test_iter, loss, epochs, trainer)
        except AssertionError as err:
            if clock.epochs_done < epochs:
                raise
            # the book's train_ch3 checks the final loss (< 0.5), which 1 epoch does not reach
            note = f"the book's train_ch3 failed its own check after the last epoch: {err!r}"
    return dict(clock.report(), note=note, threads=torch.get_num_threads())


def fast(epochs, batch_size, lr, seed, device="cpu", examples=None):
    """d2lnotes: the in-memory loader and train_ch3 (on a GPU the data moves there once)."""
    import torch

    import d2lnotes as d2l

    device = d2l.resolve_device(device)
    torch.manual_seed(seed)
    start = time.perf_counter()
    train_iter, test_iter = d2l.load_data_fashion_mnist(
        batch_size, device=None if device.type == "cpu" else device)
    if examples is not None:  # the same loader over the first examples, reshuffled each epoch
        train_iter = d2l.TensorBatches(train_iter.images[:examples], train_iter.labels[:examples],
                                       batch_size, shuffle=True, device=train_iter.images.device)
    load_seconds = time.perf_counter() - start
    result = train_with(d2l.train_ch3, train_iter, test_iter, epochs, lr, seed, device)
    return dict(result, load_seconds=load_seconds, train_examples=train_iter.num_examples)


def book(epochs, batch_size, lr, seed, device="cpu", examples=None):
    """The book's d2l package, as its 3.7 calls it (CPU only: its train_ch3 has no device).
    Its training files hold ``examples`` already (``book.prepare``): checked, not cut here."""
    import torch
    from d2l import torch as d2l

    if device != "cpu":
        raise SystemExit(f"the book's train_ch3 (chapter 3) trains on the CPU only, not {device}")
    torch.manual_seed(seed)
    start = time.perf_counter()
    train_iter, test_iter = d2l.load_data_fashion_mnist(batch_size)  # reads ../data
    load_seconds = time.perf_counter() - start
    found, wanted = len(train_iter.dataset), examples or TRAIN_EXAMPLES
    if found != wanted:
        raise SystemExit(f"../data holds {found} training examples, not {wanted}")
    result = train_with(d2l.train_ch3, train_iter, test_iter, epochs, lr, seed)
    return dict(result, load_seconds=load_seconds, workers=train_iter.num_workers,
                d2l_file=d2l.__file__, train_examples=found)


def _premade_batches(images, labels, batch_size, device):
    X = images.to(device).float().div_(255)  # ToTensor's values, converted once
    y = labels.to(device)
    return [(X[i:i + batch_size], y[i:i + batch_size]) for i in range(0, len(y), batch_size)]


def _bare_epoch(net, batches, loss, trainer):
    """One pass of plain SGD steps; the loss sum and correct count stay tensors (no sync)."""
    import torch

    loss_sum, correct = 0, 0
    for X, y in batches:
        y_hat = net(X)
        l = loss(y_hat, y)
        trainer.zero_grad()
        l.mean().backward()
        trainer.step()
        with torch.no_grad():
            loss_sum = loss_sum + l.sum()
            correct = correct + (y_hat.argmax(1) == y).sum()
    return loss_sum, correct


def floor(epochs, batch_size, lr, seed, device="cpu", examples=None):
    """The bare loop: 3.7's steps over ready batches, then the test accuracy, per epoch."""
    import torch
    from torch import nn

    import d2lnotes as d2l

    device = d2l.resolve_device(device)
    start = time.perf_counter()
    train_iter, test_iter = d2l.load_data_fashion_mnist(batch_size)  # only for its tensors
    train_n = train_iter.num_examples if examples is None else examples
    train = _premade_batches(train_iter.images[:train_n], train_iter.labels[:train_n],
                             batch_size, device)
    test = _premade_batches(test_iter.images, test_iter.labels, batch_size, device)
    load_seconds = time.perf_counter() - start
    net = softmax_regression(seed, device)
    loss = nn.CrossEntropyLoss(reduction="none")
    trainer = torch.optim.SGD(net.parameters(), lr=lr)
    marks, start = [], time.perf_counter()
    for _ in range(epochs):
        t0 = time.perf_counter()
        loss_sum, correct = _bare_epoch(net, train, loss, trainer)
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        t1 = time.perf_counter()
        with torch.no_grad():
            test_correct = sum((net(X).argmax(1) == y).sum() for X, y in test)
        test_n = test_iter.num_examples
        metrics = float(loss_sum) / train_n, float(correct) / train_n, float(test_correct) / test_n
        marks.append((t0, t1, time.perf_counter()))
    return {"seconds": time.perf_counter() - start, "setup_seconds": marks[0][0] - start,
            "epoch_seconds": [t2 - t0 for t0, _, t2 in marks],
            "phases": {"train": [t1 - t0 for t0, t1, _ in marks],
                       "evaluate": [t2 - t1 for _, t1, t2 in marks],
                       "rest": [0.0] * epochs},
            "train_loss": metrics[0], "train_acc": metrics[1], "test_acc": metrics[2],
            "load_seconds": load_seconds, "note": None, "threads": torch.get_num_threads(),
            "train_examples": train_n}


RUNNERS = {"fast": fast, "d2l": book, "floor": floor}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("variant", choices=VARIANTS)
    parser.add_argument("--out", required=True, help="where the JSON result goes")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--examples", type=int, help="the first N training examples only")
    args = parser.parse_args(argv)
    result = RUNNERS[args.variant](args.epochs, args.batch_size, args.lr, args.seed,
                                   args.device, args.examples)
    result["variant"] = args.variant
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
