"""Shared fixtures: the repository's notebooks, the real Fashion-MNIST data, the kernel
zygote, and headless Chromium for the browser tests (marked `browser`)."""

import json
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives headless Chromium (Debian's chromium "
                            "and chromium-driver); `python -m notestools test --no-browser` "
                            "or D2L_SKIP_BROWSER=1 leaves them out")


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


def find_program(env, *names):
    path = os.environ.get(env)
    if path:
        return path
    for name in names:
        found = shutil.which(name) or (Path(name).exists() and name)
        if found:
            return str(found)
    return None


@pytest.fixture(scope="session")
def chromium(tmp_path_factory):
    """Headless Chromium through selenium. Hostnames do not resolve, so a page that reaches
    for a CDN gets an error instead; 127.0.0.1 and file:// work."""
    if os.environ.get("D2L_SKIP_BROWSER") == "1":
        pytest.skip("D2L_SKIP_BROWSER=1: browser test skipped on purpose")
    # Debian's chromium with its chromium-driver, or Google Chrome with its matching driver
    # (as on GitHub's Ubuntu runners); CHROMIUM / CHROMEDRIVER choose others.
    binary = find_program("CHROMIUM", "chromium", "google-chrome", "chromium-browser")
    driver_path = find_program("CHROMEDRIVER", "chromedriver", "/usr/lib/chromium/chromedriver")
    if not binary or not driver_path:
        pytest.skip("no Chromium here: `apt-get install chromium chromium-driver` (or set "
                    "CHROMIUM / CHROMEDRIVER) to run the browser tests")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--no-default-browser-check",
                "--disable-extensions", "--mute-audio", "--hide-scrollbars",
                "--window-size=1280,900", "--force-device-scale-factor=1",
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    try:
        driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    except Exception as err:  # a driver for another browser version says so here
        pytest.fail(f"could not start {binary} through {driver_path}: {err}")
    try:
        driver.set_page_load_timeout(60)
        yield driver
    finally:
        driver.quit()
