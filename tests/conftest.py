"""Shared fixtures: the repository's notebooks and the real Fashion-MNIST data."""

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def load_notebook(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def fashion_mnist_root():
    """The data directory holding the real Fashion-MNIST (prepared once, as a user would)."""
    from d2lnotes import data_dir, fashion_mnist_datasets

    root = data_dir()
    fashion_mnist_datasets(root=root)  # finds, unpacks and checks the files, or says how to
    return root


@pytest.fixture(scope="session")
def fork_zygote():
    """This test process's kernel zygote (started once; nbval's kernels fork from it too)."""
    from notestools.forkkernel import Zygote

    return Zygote.get()
