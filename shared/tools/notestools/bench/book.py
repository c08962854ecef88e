"""The book's own ``d2l`` package, installed for the benchmark only, and its data.

``pip install --no-deps --target <scratch>/site d2l==0.17.6``: its pins (an old torch,
matplotlib, pandas, requests) are not installed; it runs with this venv's torch, which is
what a reader who follows the book with a current PyTorch gets. It imports pandas, requests,
IPython and matplotlib_inline, all in the venv already (Jupyter's dependencies), so it needs
no shim. Its ``load_data_fashion_mnist`` reads ``../data``: runs start in ``<scratch>/work``,
and ``<scratch>/data/FashionMNIST/raw/`` links to the files d2lnotes found (torchvision's
layout), so nothing is downloaded.
"""

import os
import shutil
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


def prepare(scratch):
    """Install d2l and lay out its data under ``scratch``; return (PYTHONPATH, cwd)."""
    site = install_d2l(scratch)
    link_data(scratch)
    work = Path(scratch) / "work"  # its "../data" is <scratch>/data
    work.mkdir(parents=True, exist_ok=True)
    return site, work
