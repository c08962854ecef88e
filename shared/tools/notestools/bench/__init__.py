"""Benchmark: what a reader would compare, and the whole suite.

    python -m notestools bench [--quick] [--with-d2l] [--device cpu --device cuda]

The parts (each a module here): ``interleaved`` trains section 3.7 with d2lnotes (the fast
path), with the book's own ``d2l`` 0.17.6 (``book`` installs it) and with a bare loop, one
fresh process per run (``variants``), alternating rep by rep; ``first_epoch`` times the fast
path's epochs in a kernel forked from the zygote, with and without preloading what the first
epoch imports; ``suite`` executes the notebooks with forked and with fresh kernels. ``command``
runs them and ``report`` writes build/bench.json and build/bench.md.

This package imports only the standard library until ``main`` runs: a kernel that times
the fast path imports ``notestools.bench.variants`` without pulling anything else in.
"""


def main(argv=None):
    from .command import main as run

    return run(argv)


def markdown(report):
    from .report import markdown as tables

    return tables(report)
