"""JupyterLab as a student uses it, in headless Chromium: open a notebook, Run All, save.

One server (`make lab`'s command line and settings) serves a temporary git copy of the
notebooks the tests open, with the repository's notebook filter configured. Each language view
is one page, loaded once and kept (a page load boots JupyterLab's whole app: seconds of CPU):
the tests open their notebooks in it as a student does from the file browser, and a notebook
left open keeps its kernel for the next test of the same notebook.

With `LANG=zh`, 3.6 as stored shows no English note, its table of contents no English-only
heading, keyboard navigation never stops on a hidden cell, and the menus are Chinese; then 3.6
is run there. With both languages (`make lab`, opened on the contents page): opening then
closing an untouched notebook (2.1 as stored) asks nothing, changes nothing and leaves no
kernel, and the contents page starts none; 2.1 and 3.5 (timing the book's DataLoader on 5
batches instead of 60) are run; a mistake is answered in one line; the first note after the
title is the Chinese one. After each Run All there must be no error output, exactly one
training figure, every solution still folded, no figure wider than the notebook, and `git
status` clean although the saved notebook now holds outputs. Last, the server's terminal shows
no warning or traceback.
"""

import itertools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from notestools.lab import lab_command, running_as_root, server_settings
from notestools.notebooks import CHAPTERS, ROOT, install_git_filter

pytestmark = pytest.mark.browser

# Run All with both languages; 3.6 is run in the Chinese view, whose test opens it first.
NOTEBOOKS = ["02-preliminaries/2.1-data-manipulation.ipynb",
             "03-linear-neural-networks/3.5-image-classification-dataset.ipynb"]
SECTION = "03-linear-neural-networks/3.6-softmax-regression-from-scratch.ipynb"
CONTENTS_PAGE = "README.ipynb"
# Committed into the copy: 3.5 times the book's DataLoader (worker processes started from the
# Lab kernel all the same) on 5 batches instead of 60; `make html` runs the stored parameters.
# 3.6 keeps its 10 epochs: its own checks of the trained model (calibration) need them.
SMALLER = {NOTEBOOKS[1]: ('"classic_batches = 60  #', '"classic_batches = 5  #')}
TOKEN = "d2lnotes-lab-test"
SOLUTION = "#### 解答 / Solution"


def git(repo, *args):
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                          text=True).stdout


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    """A git copy of the notes, committed through the filter, as a clone after `make install`:
    the notebooks the tests open (the filter takes ~0.4 s of CPU per notebook committed)."""
    repo = tmp_path_factory.mktemp("clone")
    for notebook in (CONTENTS_PAGE, *NOTEBOOKS, SECTION):
        (repo / "chapters" / notebook).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(CHAPTERS / notebook, repo / "chapters" / notebook)
    for notebook, (stored, smaller) in SMALLER.items():
        path = repo / "chapters" / notebook
        text = path.read_text(encoding="utf-8")
        assert text.count(stored) == 1, f"{notebook}'s parameters cell no longer has {stored}"
        path.write_text(text.replace(stored, smaller), encoding="utf-8")
        # the stored file's times: git filters a file as new as its index again on every status
        shutil.copystat(CHAPTERS / notebook, path)
    for name in (".gitattributes", ".gitignore"):
        shutil.copy(ROOT / name, repo)
    git(repo, "init", "-q")
    git(repo, "config", "user.email", "student@example.org")
    git(repo, "config", "user.name", "student")
    assert install_git_filter(repo, sys.executable)
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "notes")
    assert git(repo, "status", "--porcelain") == ""
    return repo


class Lab(str):
    """The server's URL, with its settings folder and log."""

    def __new__(cls, url, settings, log):
        self = super().__new__(cls, url)
        self.settings, self.log = settings, log
        return self


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def use_view(settings, language):
    """The language view of `make lab LANG=<language>` from the next page load on (the server
    reads the page's options on each load; its menus' language is fixed when it starts)."""
    view = server_settings(language, settings.parent / f"view-{language}")
    shutil.copy(view / "page_config.json", settings / "page_config.json")


@pytest.fixture(scope="module")
def lab(repo, tmp_path_factory):
    """JupyterLab on a free localhost port with `make lab LANG=zh`'s command line and settings
    (Chinese menus), showing both languages until a test chooses a view; yields its URL, its
    settings folder and its log (the server's terminal)."""
    home = tmp_path_factory.mktemp("jupyter")
    settings = server_settings("zh", home / "settings")
    overrides = json.loads((settings / "overrides.json").read_text())
    # every cell kept in the page (no windowing), so the test can read them all
    overrides["@jupyterlab/notebook-extension:tracker"]["windowingMode"] = "none"
    (settings / "overrides.json").write_text(json.dumps(overrides))
    use_view(settings, "both")
    port = free_port()
    # `make lab`'s command line (containers and CI run as root), with this test's settings
    command = lab_command(None, port, allow_root=running_as_root(), browser=False,
                          root=repo / "chapters", settings=settings, state=home / "state")
    command += [f"--IdentityProvider.token={TOKEN}",
                "--LabApp.expose_app_in_browser=True"]  # window.jupyterapp runs commands
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(home / "config"),
           "JUPYTER_RUNTIME_DIR": str(home / "runtime"), "OMP_NUM_THREADS": "1"}
    log = open(home / "lab.log", "w")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=2)
                break
            except OSError:
                assert server.poll() is None, (home / "lab.log").read_text()[-3000:]
                time.sleep(0.5)
        else:
            pytest.fail("JupyterLab did not answer within 60 s")
        yield Lab(url, settings, home / "lab.log")
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # the server and its kernels
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


SLICE = 10  # seconds one browser call may wait in the page before it answers null


@pytest.fixture(scope="module")
def driver(chromium):
    chromium.set_window_size(1400, 900)
    chromium.set_script_timeout(SLICE + 20)
    yield chromium
    # The session's browser goes on to other tests (the site's): leave JupyterLab, whose page
    # with a modified notebook logs a blocked "leave page?" prompt, and drop what it logged.
    chromium.get("about:blank")
    for log in ("browser", "performance"):
        chromium.get_log(log)


def settle(driver, script, timeout, what):
    """The first answer other than null of the asynchronous `script`, asked again every SLICE
    seconds: the page waits by itself, without a round trip through the driver per try."""
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        answer = driver.execute_async_script(script, min(SLICE, left))
        if answer is not None:
            return answer
    pytest.fail(f"timed out after {timeout} s waiting for {what}")


# Tries CONDITION (a function body returning whether it holds) in the page every 0.1 s:
# answers true once it holds, null when the slice ends first, or the error it throws.
UNTIL = """
const [seconds, done] = arguments;
const end = Date.now() + seconds * 1000;
const holds = () => { CONDITION };
(function poll() {
  let value;
  try { value = holds(); } catch (e) { return done(String(e)); }
  if (value) done(true); else if (Date.now() >= end) done(null); else setTimeout(poll, 100);
})();"""


def wait_until(driver, script, timeout, what):
    answer = settle(driver, UNTIL.replace("CONDITION", script), timeout, what)
    assert answer is True, f"{what}: {answer}"


# What the page's JupyterLab says about the open notebook (window.jupyterapp).
NOTEBOOK = "const w = window.jupyterapp?.shell.currentWidget;"
READY = NOTEBOOK + """
return !!(w && w.sessionContext?.isReady && w.content?.model
          && w.sessionContext.session?.kernel?.status === 'idle');"""
IDLE = NOTEBOOK + """
const cells = w.content.model.cells;
for (let i = 0; i < cells.length; i++) {
  const cell = cells.get(i);
  if (cell.type === 'code' && !cell.executionCount) return false;
}
return w.sessionContext.session?.kernel?.status === 'idle';"""
FOLDED = NOTEBOOK + """
return w.content.widgets.filter(c => c.model.type === 'markdown' && c.headingCollapsed
  && c.model.sharedModel.getSource().startsWith('#### 解答')).length;"""
TOO_WIDE = NOTEBOOK + """
return [...w.node.querySelectorAll('.jp-OutputArea-output img, .jp-OutputArea-output svg')]
  .filter(e => !e.closest('svg svg'))
  .filter(e => e.getBoundingClientRect().width >
               e.closest('.jp-OutputArea-output').getBoundingClientRect().width + 1)
  .map(e => Math.round(e.getBoundingClientRect().width));
"""
LOADS = itertools.count()


def loaded(path):
    """The notebook at `path` is in front, its content loaded."""
    return NOTEBOOK + f"""
return !!(w && w.context?.path === {json.dumps(path)} && w.context.isReady
          && w.content?.widgets.length);"""


def command(driver, name):
    """Start a JupyterLab command, as its menu item would."""
    driver.execute_script(f"window.jupyterapp.commands.execute('{name}');")


# The outcome of the command started last, or null once `arguments[0]` s have passed.
SETTLED = """
const [seconds, done] = arguments;
Promise.race([window.d2lnotesTestCommand,
              new Promise(resolve => setTimeout(() => resolve(null), seconds * 1000))])
  .then(done);"""


def finish(driver, name, timeout, what):
    """Run a JupyterLab command, as its menu item would, until the promise it returns settles:
    Run All's once every cell has run, Save's once the file is written."""
    driver.execute_script("window.d2lnotesTestCommand = window.jupyterapp.commands"
                          ".execute(arguments[0]).then(() => 'done', e => String(e));", name)
    outcome = settle(driver, SETTLED, timeout, what)
    assert outcome == "done", f"{what}: {outcome}"


def show(driver, lab, notebook, language="both"):
    """`notebook` in front, its content loaded, in the page of `make lab LANG=<language>`. The
    page is loaded once, on that notebook, and kept for the tests after it while they use the
    same view: they open their notebooks in it (as a double click in the file browser does;
    one already open is brought to the front)."""
    if driver.execute_script("return window.d2lnotesTestView || null;") != language:
        use_view(lab.settings, language)
        # a workspace of its own per page load: nothing restored from an earlier page
        driver.get(f"{lab}/lab/workspaces/{language}{next(LOADS)}/tree/{notebook}"
                   f"?token={TOKEN}")
        wait_until(driver, loaded(notebook), 120, f"JupyterLab showing {notebook}")
        driver.execute_script("window.d2lnotesTestView = arguments[0];", language)
        return
    driver.execute_script("window.jupyterapp.commands.execute('docmanager:open', "
                          "{path: arguments[0]});", notebook)
    wait_until(driver, loaded(notebook), 120, f"{notebook} in the page")


def api(lab, path):
    with urllib.request.urlopen(f"{lab}/api/{path}?token={TOKEN}", timeout=10) as answer:
        return json.loads(answer.read())


# -- the Chinese view: 3.6 as stored, then run ---------------------------------------------------

CJK = r"/[\u3400-\u9fff]/"
# Every cell of the open notebook: type, tags, whether it shows, whether it lies under a
# folded heading (a solution), and whether it is active.
CELLS = NOTEBOOK + """
return w.content.widgets.map((c, i) => ({
  type: c.model.type, tags: c.model.getMetadata('tags') || [],
  shown: c.node.getClientRects().length > 0, folded: c.isHidden,
  active: i === w.content.activeCellIndex}));"""
CONTENTS = """
return [...document.querySelectorAll('.jp-TableOfContents-content .jp-tocItem-content')]
  .map(e => e.textContent.trim());"""


def open_notebook(driver, lab, notebook, language):
    show(driver, lab, notebook, language)
    time.sleep(1)  # the view is applied as the cells arrive


def test_chinese_view_hides_english(lab, driver):
    """`make lab LANG=zh`: no English note on the page, in the table of contents or on the way
    of the keyboard; code and bilingual cells all shown; menus in Chinese."""
    open_notebook(driver, lab, SECTION, "zh")
    cells = driver.execute_script(CELLS)
    english = [c for c in cells if "en" in c["tags"] and "bilingual" not in c["tags"]]
    assert english and not any(c["shown"] for c in english), "an English note is shown"
    assert all(c["shown"] or c["folded"] for c in cells if c not in english), \
        "code, outputs, bilingual and Chinese cells all show (but under a folded heading)"
    assert any(c["shown"] and "zh" in c["tags"] for c in cells)

    command(driver, "toc:show-panel")
    wait_until(driver, f"return ((() => {{ {CONTENTS} }})()).length > 3", 30, "the contents")
    headings = driver.execute_script(CONTENTS)
    english_only = [h for h in headings
                    if not driver.execute_script(f"return {CJK}.test(arguments[0])", h)]
    assert english_only == [], f"English-only headings in the table of contents: {english_only}"
    command(driver, "filebrowser:activate")  # the sidebar as the page opened

    # keyboard navigation steps over hidden cells, down and up
    first = next(i for i, c in enumerate(cells) if c in english)
    driver.execute_script(NOTEBOOK + f"w.content.activeCellIndex = {first - 1};")
    for move in ("notebook:move-cursor-down", "notebook:move-cursor-up"):
        for _ in range(3):
            command(driver, move)
            active = next(c for c in driver.execute_script(CELLS) if c["active"])
            assert active["shown"], f"{move} stopped on a hidden cell"

    menus = driver.execute_script(
        "return [...document.querySelectorAll('.lm-MenuBar-itemLabel')].map(e => e.textContent)")
    assert menus[:2] == ["文件", "编辑"], f"JupyterLab's menus are not Chinese: {menus}"


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    shots = Path(os.environ.get("D2L_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    shots.mkdir(parents=True, exist_ok=True)
    return shots


def run_all_and_save(driver, lab, notebook, language, shots):
    show(driver, lab, notebook, language)
    wait_until(driver, READY, 120, "the notebook and its kernel")
    try:
        finish(driver, "notebook:run-all-cells", int(os.environ.get("LAB_WAIT", 420)),
               f"Run All of {notebook}")
        wait_until(driver, IDLE, 60, f"every cell of {notebook} run, the kernel idle")
    finally:
        driver.save_screenshot(str(shots / (Path(notebook).stem + "-wait.png")))
    finish(driver, "docmanager:save", 60, f"saving {notebook}")
    assert driver.execute_script(NOTEBOOK + "return w.context.model.dirty;") is False
    driver.save_screenshot(str(shots / (Path(notebook).stem + ".png")))


def check_run_all(repo, lab, driver, notebook, language, shots):
    """Run All and save `notebook` in that language view, then check what the student sees."""
    run_all_and_save(driver, lab, notebook, language, shots)

    saved = json.loads((repo / "chapters" / notebook).read_text(encoding="utf-8"))
    code = [c for c in saved["cells"] if c["cell_type"] == "code"]
    errors = [o for c in code for o in c["outputs"] if o["output_type"] == "error"]
    assert not errors, [e["ename"] + ": " + e["evalue"] for e in errors]
    assert all(c["execution_count"] for c in code), "Run All executed every code cell"

    solutions = [c for c in saved["cells"] if "".join(c["source"]).startswith(SOLUTION)]
    assert solutions and all(c["metadata"].get("jp-MarkdownHeadingCollapsed")
                             for c in solutions), "every solution is still folded"
    assert driver.execute_script(FOLDED) >= len(solutions)
    assert driver.execute_script(TOO_WIDE) == [], "a figure is wider than the notebook"

    training = [c for c in code if "train_ch3(" in "".join(c["source"])
                and "def train_ch3" not in "".join(c["source"])]
    for cell in training[:1]:
        figures = [o for o in cell["outputs"] if o["output_type"] == "display_data"
                   and ({"image/svg+xml", "image/png"} & set(o.get("data", {})))]
        assert len(figures) == 1, f"one live training figure, found {len(figures)}"
    if notebook == SECTION:
        assert training, "3.6 trains with train_ch3"

    assert any(c["outputs"] for c in code), "the saved notebook holds outputs"
    # The save hook refreshes git's index. Each `git status` right after runs the filter on
    # the saved notebook again (git cannot trust a file as new as its index): one call a try.
    for _ in range(60):
        status = git(repo, "status", "--porcelain", "chapters")
        if status == "":
            break
        time.sleep(1)
    assert status == "", "opening, running and saving a notebook leaves git status clean"


def test_run_all_in_the_chinese_view(repo, lab, driver, shots):
    """Run All of 3.6 in the page of the test above (`make lab LANG=zh`)."""
    check_run_all(repo, lab, driver, SECTION, "zh", shots)


# -- both languages (`make lab`): the contents page, Run All, a mistake ----------------------------

def test_opening_and_closing_an_untouched_notebook_changes_nothing(repo, lab, driver):
    """2.1 as stored (no outputs, no language_info): no "Save your work?" dialog, the file
    and git status unchanged, the notebook's kernel shut down; the contents page (markdown
    only) starts no kernel."""
    show(driver, lab, CONTENTS_PAGE)
    contents_shown = time.monotonic()
    notebook = NOTEBOOKS[0]
    stored = (repo / "chapters" / notebook).read_bytes()
    show(driver, lab, notebook)
    wait_until(driver, READY, 120, "the notebook and its kernel")
    time.sleep(2)  # kernel info and the notebook's metadata settle
    assert driver.execute_script(NOTEBOOK + "return w.context.model.dirty;") is False, \
        "an untouched notebook is marked modified"
    kernel = driver.execute_script(NOTEBOOK + "return w.sessionContext.session.kernel.id;")
    command(driver, "application:close")
    time.sleep(3)
    assert driver.execute_script("return document.querySelector('.jp-Dialog') === null"), \
        driver.execute_script("return document.querySelector('.jp-Dialog').innerText")
    assert (repo / "chapters" / notebook).read_bytes() == stored
    assert git(repo, "status", "--porcelain", "chapters") == ""
    for _ in range(30):
        if kernel not in [k["id"] for k in api(lab, "kernels")]:
            break
        time.sleep(1)
    assert kernel not in [k["id"] for k in api(lab, "kernels")], "its kernel is still running"

    # a kernel would have been asked for within 5 s of the contents page's loading
    time.sleep(max(0.0, 5 - (time.monotonic() - contents_shown)))
    assert not [s for s in api(lab, "sessions") if s["path"].endswith(CONTENTS_PAGE)], \
        "the contents page started a kernel"
    assert driver.execute_script("return document.querySelector('.jp-Dialog') === null")


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda n: Path(n).stem.split("-")[0])
def test_run_all_in_jupyterlab(repo, lab, driver, notebook, shots):
    check_run_all(repo, lab, driver, notebook, "both", shots)


def test_a_mistake_is_one_line(lab, driver):
    """A wrong device name, run in a new cell, answers with one line, not a traceback (in
    2.1's kernel, the one of its Run All when that ran before)."""
    show(driver, lab, NOTEBOOKS[0])
    wait_until(driver, READY, 120, "the notebook and its kernel")
    command(driver, "notebook:insert-cell-below")
    driver.execute_script(NOTEBOOK + "w.content.activeCell.model.sharedModel.setSource("
                          "'import d2lnotes as d2l\\nd2l.resolve_device(\"gpu\")');")
    command(driver, "notebook:run-cell")
    output = NOTEBOOK + """
const cell = w.content.widgets.find(c => c.model.sharedModel.getSource().includes('"gpu"'));
const out = cell?.node.querySelector('.jp-OutputArea-output');
return out ? out.innerText : null;"""
    wait_until(driver, f"return ((() => {{ {output} }})()) !== null", 60, "the error")
    text = driver.execute_script(output).strip()
    assert text.startswith("BadValueError: Unknown device 'gpu'"), text
    assert len(text.splitlines()) == 1, text


def test_both_languages_chinese_first(lab, driver):
    """Both languages (3.5, open from its Run All): nothing hidden, and the first note after
    the title is the Chinese one."""
    open_notebook(driver, lab, NOTEBOOKS[1], "both")
    cells = driver.execute_script(CELLS)
    assert all(c["shown"] or c["folded"] for c in cells)
    notes = [c for c in cells[1:] if c["type"] == "markdown" and {"en", "zh"} & set(c["tags"])]
    assert "zh" in notes[0]["tags"], "the first note after the title is Chinese"


def test_the_terminal_stays_quiet(lab):
    """After every test above: no warning, error or traceback in the server's terminal (its
    kernels' included)."""
    log = lab.log.read_text(encoding="utf-8", errors="replace")
    noisy = [line for line in log.splitlines()
             if line.startswith(("[W ", "[E ", "[C ")) and "received signal" not in line
             or "Traceback" in line or "Warning" in line]
    assert noisy == [], "\n".join(noisy)
