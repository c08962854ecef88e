"""The notebooks here fail, crash and hang on purpose (tests/test_faults.py runs them through
the runner): nbval, which `make test` points at every notebook, must not collect them."""

collect_ignore_glob = ["*.ipynb"]
