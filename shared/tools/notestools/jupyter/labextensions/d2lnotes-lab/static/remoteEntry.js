/*
 * d2lnotes-lab: the JupyterLab extension of `make lab` (python -m notestools lab), loaded for
 * that server only (--LabApp.extra_labextensions_path); nothing is installed anywhere.
 *
 * 1. One language of the bilingual notes. Markdown cells tagged `en` or `zh` are hidden when
 *    the page's option `d2lnotesLanguage` (page_config.json, written by `make lab LANG=zh|en`)
 *    names the other language: hidden from the page (display: none), from the table of contents, and from
 *    keyboard navigation (the active cell never stops on one). Cells tagged `bilingual`, code,
 *    outputs and figures always show; the notebook itself is never changed.
 * 2. A notebook with no code cell (chapters/README.ipynb, the contents) starts no kernel.
 * 3. Opening an untouched notebook leaves it untouched: JupyterLab writes the kernel's
 *    `language_info` (and `kernelspec`) into the notebook's metadata when the kernel connects,
 *    which marks it modified, so closing it would ask "Save your work?" and autosave would
 *    rewrite the file. Here that write no longer marks a clean notebook modified (the git
 *    filter strips language_info anyway).
 *
 * JupyterLab loads prebuilt extensions through webpack module federation: this file is such a
 * container, written by hand so that it needs no build step. `init` receives JupyterLab's
 * shared modules (the same instances the application uses), `get('./extension')` returns the
 * module whose default export is the plugin.
 */
(function () {
  'use strict';

  const NAME = 'd2lnotes-lab';
  const PLUGIN_ID = NAME + ':plugin';
  const HIDDEN = 'd2lnotes-hidden-language';
  const LANGUAGES = ['both', 'zh', 'en'];
  let shareScope = null;
  let language = 'both';

  function versionKey(version) {
    return version.split(/[.+-]/).map(part => part.padStart(8, '0')).join('.');
  }

  /** A module JupyterLab shares (its own instance, so its tokens and classes are the app's). */
  async function shared(name) {
    const versions = shareScope && shareScope[name];
    if (!versions || !Object.keys(versions).length) {
      throw new Error(`${NAME}: JupyterLab shares no module ${name}`);
    }
    const newest = Object.keys(versions).sort((a, b) =>
      versionKey(a) < versionKey(b) ? -1 : 1).pop();
    let factory = versions[newest].get();
    if (factory && typeof factory.then === 'function') {
      factory = await factory;
    }
    return typeof factory === 'function' ? factory() : factory;
  }

  /** The tag whose cells the current view hides: `en` in the Chinese view, `zh` in the English. */
  function hiddenTag() {
    return language === 'zh' ? 'en' : language === 'en' ? 'zh' : null;
  }

  function hidesCell(cell) {
    const tag = hiddenTag();
    if (!tag || !cell || !cell.model || cell.model.type !== 'markdown') {
      return false;
    }
    const tags = cell.model.getMetadata('tags');
    return Array.isArray(tags) && tags.includes(tag) && !tags.includes('bilingual');
  }

  function applyToCell(cell) {
    if (cell && !cell.isDisposed) {
      cell.toggleClass(HIDDEN, hidesCell(cell));
    }
  }

  function applyToNotebook(notebook) {
    if (!notebook || notebook.isDisposed) {
      return;
    }
    notebook.widgets.forEach(applyToCell);
    skipHidden(notebook, notebook.activeCellIndex, notebook.activeCellIndex);
  }

  /** Move the active cell off a hidden cell, onwards in the direction it was moving. */
  function skipHidden(notebook, from, to) {
    const cells = notebook.widgets;
    if (!hidesCell(cells[to])) {
      return;
    }
    const step = to < from ? -1 : 1;
    for (const direction of [step, -step]) {
      for (let i = to + direction; i >= 0 && i < cells.length; i += direction) {
        if (!hidesCell(cells[i])) {
          notebook.activeCellIndex = i;
          return;
        }
      }
    }
  }

  function hasCode(model) {
    const cells = model && model.cells;
    if (!cells) {
      return true;
    }
    for (let i = 0; i < cells.length; i++) {
      if (cells.get(i).type === 'code') {
        return true;
      }
    }
    return false;
  }

  function track(panel) {
    const notebook = panel.content;
    let previous = notebook.activeCellIndex;
    notebook.activeCellChanged.connect(() => {
      const now = notebook.activeCellIndex;
      const from = previous;
      previous = now;
      skipHidden(notebook, from, now);
    });
    const watchCells = () => {
      const model = notebook.model;
      if (!model) {
        return;
      }
      model.cells.changed.connect(() => {
        // the notebook creates the new cells' widgets in its own handler of this signal
        requestAnimationFrame(() => applyToNotebook(notebook));
      });
      for (let i = 0; i < model.cells.length; i++) {
        watchTags(notebook, model.cells.get(i));
      }
      model.cells.changed.connect((_, change) => {
        (change.newValues || []).forEach(cell => watchTags(notebook, cell));
      });
      applyToNotebook(notebook);
    };
    // The contents page and any notebook without code: no kernel. Runs when the content is
    // loaded, before the kernel would be started (that waits on the server's session list).
    panel.context.ready.then(() => {
      if (!hasCode(panel.context.model)) {
        const context = panel.sessionContext;
        context.kernelPreference = Object.assign({}, context.kernelPreference,
                                                 { shouldStart: false });
      }
      watchCells();
    }).catch(() => undefined);
  }

  function watchTags(notebook, cellModel) {
    cellModel.metadataChanged.connect((_, change) => {
      if (change.key === 'tags') {
        applyToCell(notebook.widgets.find(cell => cell.model === cellModel));
      }
    });
  }

  /**
   * JupyterLab writes metadata into a notebook that nobody edited: `language_info` and
   * `kernelspec` when a kernel connects (NotebookPanel._updateLanguage and _updateSpec call
   * NotebookModel.setMetadata), and an empty `language_info` whenever the notebook is
   * serialised before that (NotebookModel._ensureMetadata). Each marks the notebook modified;
   * on a notebook that was clean, these writes alone now leave it clean (the git filter strips
   * language_info anyway). Both are synchronous, so no edit of the reader's can slip in between.
   */
  const KERNEL_METADATA = ['language_info', 'kernelspec'];

  function keepClean(proto, name, applies) {
    const original = proto[name];
    if (typeof original !== 'function' || original.d2lnotes) {
      return;
    }
    const wrapped = function (...args) {
      const wasDirty = this.dirty;
      const result = original.apply(this, args);
      if (!wasDirty && applies(args) && !this.isDisposed) {
        this.dirty = false;
      }
      return result;
    };
    wrapped.d2lnotes = true;
    proto[name] = wrapped;
  }

  /** Table of contents: no heading of a hidden cell. */
  function filterTableOfContents(NotebookToCModel) {
    const proto = NotebookToCModel.prototype;
    const original = proto.getHeadings;
    if (typeof original !== 'function' || original.d2lnotes) {
      return;
    }
    const wrapped = async function (...args) {
      const headings = await original.apply(this, args);
      if (!hiddenTag()) {
        return headings;
      }
      const kept = headings.filter(heading => !hidesCell(heading.cellRef));
      // which heading a cell sits under (the active heading follows the active cell)
      const index = new WeakMap();
      let k = -1;
      for (const cell of this.widget.content.widgets) {
        while (k + 1 < kept.length && kept[k + 1].cellRef === cell) {
          k++;
        }
        if (k >= 0) {
          index.set(cell, k);
        }
      }
      this._cellToHeadingIndex = index;
      return kept;
    };
    wrapped.d2lnotes = true;
    proto.getHeadings = wrapped;
  }

  const STYLE = `.jp-Notebook .jp-Cell.${HIDDEN} { display: none !important; }`;

  async function buildPlugin() {
    const { PageConfig } = await shared('@jupyterlab/coreutils');
    const { INotebookTracker, NotebookModel, NotebookToCModel } =
      await shared('@jupyterlab/notebook');
    const chosen = PageConfig.getOption('d2lnotesLanguage');
    language = LANGUAGES.includes(chosen) ? chosen : 'both';
    return {
      id: PLUGIN_ID,
      description: 'd2l-notes: one language of the bilingual notes; quiet defaults',
      autoStart: true,
      requires: [INotebookTracker],
      activate: (app, notebooks) => {
        keepClean(NotebookModel.prototype, 'setMetadata',
                  ([key]) => KERNEL_METADATA.includes(key));
        keepClean(NotebookModel.prototype, '_ensureMetadata', () => true);
        filterTableOfContents(NotebookToCModel);
        const style = document.createElement('style');
        style.id = NAME + '-style';
        style.textContent = STYLE;
        document.head.appendChild(style);
        document.body.dataset.d2lnotesLanguage = language;
        // every notebook from its creation on, before its content and kernel arrive
        app.docRegistry.getWidgetFactory('Notebook').widgetCreated.connect(
          (_, panel) => track(panel));
        notebooks.forEach(panel => applyToNotebook(panel.content));
      }
    };
  }

  const container = {
    init: scope => {
      shareScope = scope;
    },
    get: async module => {
      if (module !== './extension') {
        throw new Error(`${NAME} has no module ${module}`);
      }
      const built = await buildPlugin();
      return () => ({ __esModule: true, default: [built] });
    }
  };

  window._JUPYTERLAB = window._JUPYTERLAB || {};
  window._JUPYTERLAB[NAME] = container;
})();
