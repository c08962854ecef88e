"""The book's own ``d2l`` package, installed for the benchmark only, and its data.

``pip install --no-deps --target <scratch>/site d2l==0.17.6``: its pins (an old torch,
matplotlib, pandas, requests) are not installed; it runs with this venv's torch, which is
what a reader who follows the book with a current PyTorch gets. It imports pandas, requests,
IPython and matplotlib_inline, all in the venv already (Jupyter's dependencies), so it needs
no shim. Its ``load_data_fashion_mnist`` reads ``../data``: runs start in ``<scratch>/work``,
and ``<scratch>/data/FashionMNIST/raw/`` links to the files d2lnotes found (torchvision's
layout), so nothing is downloaded. Runs on the first N training examples (``--examples``)
start in ``<scratch>/first-N/work`` instead, whose ``../data`` holds training files cut to
their first N examples (the test files are linked whole), so the book's code runs unchanged.
"""

import math
import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

D2L_VERSION = "0.17.6"
PIP_TIMEOUT = 300


class BookUnavailable(Exception):
    """The book's package could not be installed here; the bench skips it and says why."""


def install_d2l(scratch):
    """``<scratch>/site`` with d2l installed in it (pip runs only the first time)."""
    site = Path(scratch) / "site"
    if (site / "d2l" / "torch.py").is_file():
        return site
    partial = Path(scratch) / "site.part"
    shutil.rmtree(partial, ignore_errors=True)
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
               "--disable-pip-version-check", "--target", str(partial), f"d2l=={D2L_VERSION}"]
    print(f"installing d2l {D2L_VERSION} into {site} (once; --no-deps)", flush=True)
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=PIP_TIMEOUT)
    except subprocess.TimeoutExpired:
        done = None
    if done is None or done.returncode != 0 or not (partial / "d2l" / "torch.py").is_file():
        why = "timed out" if done is None else (done.stderr.strip().splitlines() or ["?"])[-1]
        shutil.rmtree(partial, ignore_errors=True)
        raise BookUnavailable(
            f"pip could not install d2l=={D2L_VERSION} ({why}). The comparison with the "
            f"book's package needs `{' '.join(command[2:])}` to work here (PyPI or a local "
            "index through PIP_INDEX_URL / PIP_FIND_LINKS).")
    shutil.rmtree(site, ignore_errors=True)  # an install someone broke by hand
    os.replace(partial, site)  # all or nothing: a half install is never taken for one
    return site


def link_data(scratch):
    """``<scratch>/data/FashionMNIST/raw/``: links to the raw files d2lnotes finds (its
    data folder, a system copy such as /usr/share/datasets/fashion-mnist, ...)."""
    from torchvision.datasets import FashionMNIST

    from d2lnotes import fashion_mnist_datasets

    found = Path(fashion_mnist_datasets()[0].raw_folder)  # checked, unpacked
    raw = Path(scratch) / "data" / "FashionMNIST" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    for url, _ in FashionMNIST.resources:  # the names torchvision reads
        name = Path(url).name.removesuffix(".gz")
        link = raw / name
        if link.is_symlink() or link.exists():
            link.unlink()
        try:
            link.symlink_to(found / name)
        except OSError:  # no symlinks (Windows without the privilege): copy
            shutil.copyfile(found / name, link)
    return raw


def write_first_examples(source, target, n):
    """``target``: the IDX file ``source`` (big-endian header, unsigned bytes) cut to its
    first ``n`` examples. Replaces a link at ``target``, never writing through it."""
    with open(source, "rb") as f:
        magic = f.read(4)
        dims = struct.unpack(f">{magic[3]}I", f.read(4 * magic[3])) if len(magic) == 4 else ()
        if magic[:3] != b"\0\0\x08" or not dims or not 0 < n <= dims[0]:
            raise ValueError(f"{source}: not unsigned-byte IDX data with at least {n} examples")
        body = f.read(n * math.prod(dims[1:]))
    partial = target.with_name(target.name + ".part")
    partial.write_bytes(magic + struct.pack(f">{len(dims)}I", n, *dims[1:]) + body)
    os.replace(partial, target)


def link_first_examples(folder, n):
    """``<folder>/data/FashionMNIST/raw/`` as :func:`link_data` lays it out, with the
    training files cut to their first ``n`` examples."""
    raw = link_data(folder)
    for name in ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"):
        write_first_examples(raw / name, raw / name, n)  # reads through the link, replaces it
    return raw


def prepare(scratch, examples=None):
    """Install d2l and lay out its data under ``scratch`` (all training examples, or the
    first ``examples`` under ``first-N``); return (PYTHONPATH, cwd)."""
    site = install_d2l(scratch)
    if examples is None:
        folder = Path(scratch)
        link_data(folder)
    else:
        folder = Path(scratch) / f"first-{examples}"
        link_first_examples(folder, examples)
    work = folder / "work"  # its "../data" is <folder>/data
    work.mkdir(parents=True, exist_ok=True)
    return site, work
