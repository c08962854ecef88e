"""Headless Chromium through selenium and chromedriver: what prints the PDF, and what the
site's browser test drives. Debian's chromium with its chromium-driver, or Google Chrome with
its matching driver (as on GitHub's Ubuntu runners); CHROMIUM / CHROMEDRIVER choose others."""

import os
import shutil
from pathlib import Path

INSTALL_HINT = ("apt-get install chromium chromium-driver, or set CHROMIUM and CHROMEDRIVER "
                "to a browser and its driver")

ARGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", "--no-default-browser-check", "--disable-extensions",
        "--mute-audio", "--hide-scrollbars", "--force-device-scale-factor=1",
        # No name resolves: a page that reaches for a CDN gets an error, not a font
        # (127.0.0.1 stays reachable, for a local server such as JupyterLab's).
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1")


def find_program(env, *names):
    path = os.environ.get(env)
    if path:
        return path
    for name in names:
        found = shutil.which(name) or (Path(name).exists() and name)
        if found:
            return str(found)
    return None


def chromium_paths():
    """(browser, driver) paths; None for what is not installed."""
    return (find_program("CHROMIUM", "chromium", "google-chrome", "chromium-browser"),
            find_program("CHROMEDRIVER", "chromedriver", "/usr/lib/chromium/chromedriver"))


def start_chrome(profile_dir, window="1280,900", capabilities=None, offline=True):
    """A headless Chromium (selenium WebDriver) where no hostname resolves; ``offline`` also
    cuts the network off altogether (127.0.0.1 included). Raises RuntimeError saying what to
    install."""
    chromium, driver_path = chromium_paths()
    if not chromium or not driver_path:
        raise RuntimeError(f"Chromium and its driver are needed: {INSTALL_HINT}")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in (*ARGS, f"--window-size={window}", f"--user-data-dir={profile_dir}"):
        options.add_argument(arg)
    for name, value in (capabilities or {}).items():
        options.set_capability(name, value)
    try:
        driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    except Exception as err:  # a driver for another browser version says so here
        raise RuntimeError(f"could not start {chromium} through {driver_path}: {err}") from err
    if offline:
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.emulateNetworkConditions", {
            "offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
    return driver


def wait_for(driver, script, timeout=30):
    """Poll ``script`` (JavaScript returning a truthy value when done); False on timeout."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if driver.execute_script(script):
            return True
        time.sleep(0.1)
    return False


MATH_DONE = "return document.documentElement.getAttribute('data-math') === 'done'"


def wait_until_typeset(driver, timeout=60):
    """Wait for the page, its MathJax typesetting (site.js marks <html data-math="done">)
    and its fonts; False when MathJax did not finish in time."""
    wait_for(driver, "return document.readyState === 'complete'", timeout)
    done = True
    if driver.execute_script("return !!window.MathJax"):
        done = wait_for(driver, MATH_DONE, timeout)
    driver.set_script_timeout(timeout)
    driver.execute_async_script("document.fonts.ready.then(arguments[arguments.length - 1])")
    return done
