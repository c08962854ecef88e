/* d2l-notes site: theme (dark / light), language switch, hints and solutions opened for
   printing, the outline that follows the scroll, MathJax's error reporting. No network.
   Runs in <head>, before the first paint. */
(function () {
  "use strict";
  var SHOW_KEY = "d2l-notes-show";
  var THEME_KEY = "d2l-notes-theme";
  var root = document.documentElement;

  function stored(key) {
    try { return window.localStorage.getItem(key); } catch (e) { return null; }
  }
  function store(key, value) {
    try { window.localStorage.setItem(key, value); } catch (e) { /* storage may be off */ }
  }

  /* Theme: the reader's choice once made (remembered), else the system's. */
  var dark = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
  function theme() {
    var chosen = stored(THEME_KEY);
    if (chosen === "dark" || chosen === "light") return chosen;
    return dark && dark.matches ? "dark" : "light";
  }
  function applyTheme() { root.setAttribute("data-theme", theme()); }
  applyTheme();
  if (dark && dark.addEventListener) dark.addEventListener("change", applyTheme);

  function show(value) {
    if (value !== "zh" && value !== "en") value = "both";
    root.setAttribute("data-show", value);
    store(SHOW_KEY, value);
    var buttons = document.querySelectorAll(".d2l-langswitch button");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].setAttribute("aria-pressed", String(buttons[i].getAttribute("data-show") === value));
    }
  }
  // Only a bilingual build offers the switch; apply the stored choice before first paint.
  if (root.getAttribute("data-site-lang") === "both") {
    root.setAttribute("data-show", stored(SHOW_KEY) || "both");
  }

  /* Printing a page prints its hints and solutions too: open the folded ones, and fold them
     again. */
  var openedForPrint = [];
  window.addEventListener("beforeprint", function () {
    openedForPrint = [].filter.call(document.querySelectorAll("details.d2l-fold"),
      function (d) { return !d.open; });
    openedForPrint.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    openedForPrint.forEach(function (d) { d.open = false; });
    openedForPrint = [];
  });

  /* The outline beside a page (wide screens): the entry of the heading the reader has
     scrolled to, i.e. the last shown heading above the top quarter of the window, is marked
     d2l-current. An IntersectionObserver says when a heading crosses that line. */
  var updateOutline = function () {};
  function followOutline() {
    var nav = document.querySelector(".d2l-outline");
    if (!nav || !window.IntersectionObserver) return;
    var links = [].slice.call(nav.querySelectorAll("a[href^='#']"));
    var targets = links.map(function (a) {
      return document.getElementById(a.getAttribute("href").slice(1));
    });
    var current = null;
    updateOutline = function () {
      var line = window.innerHeight / 4, found = null;
      for (var i = 0; i < targets.length; i++) {
        var t = targets[i];
        if (!t || !t.getClientRects().length) continue;  // the language not shown
        if (t.getBoundingClientRect().top > line) break;
        found = links[i];
      }
      if (found === current) return;
      if (current) {
        current.removeAttribute("aria-current");
        current.parentNode.classList.remove("d2l-current");
      }
      current = found;
      if (!current) return;
      current.setAttribute("aria-current", "location");
      var item = current.parentNode;
      item.classList.add("d2l-current");
      // Keep the entry in view inside the outline (without scrolling the page).
      if (item.offsetTop < nav.scrollTop) nav.scrollTop = item.offsetTop;
      else if (item.offsetTop + item.offsetHeight > nav.scrollTop + nav.clientHeight) {
        nav.scrollTop = item.offsetTop + item.offsetHeight - nav.clientHeight;
      }
    };
    var observer = new IntersectionObserver(function () { updateOutline(); },
                                            {rootMargin: "0px 0px -75% 0px"});
    targets.forEach(function (t) { if (t) observer.observe(t); });
    window.addEventListener("resize", function () { updateOutline(); });
    updateOutline();
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (root.getAttribute("data-site-lang") === "both") show(root.getAttribute("data-show"));
    followOutline();
    document.addEventListener("click", function (event) {
      var target = event.target.closest ? event.target : null;
      var button = target && target.closest(".d2l-langswitch button");
      if (button) {
        show(button.getAttribute("data-show"));
        updateOutline();
      }
      if (target && target.closest(".d2l-theme")) {
        store(THEME_KEY, theme() === "dark" ? "light" : "dark");
        applyTheme();
      }
    });
  });

  window.d2lSite = {
    show: show,
    theme: theme,
    /* MathJax 3's configuration with the site's hooks added: a formula MathJax cannot
       typeset becomes a console error (which the browser test catches) as well as the
       error shown in its place, and <html data-math="done"> marks the end of typesetting
       (what the PDF printer and the tests wait for), failed or not. */
    mathJax: function (config) {
      function report(what, source, err) {
        console.error("MathJax: " + what + ": " + (err && err.message || err) +
                      (source ? ": " + source : ""));
      }
      config.tex.formatError = function (jax, err) {
        report("TeX error", jax.latex, err);
        return jax.formatError(err);
      };
      config.options.compileError = function (doc, math, err) {
        report("cannot read", math.math, err);
        doc.compileError(math, err);
      };
      config.options.typesetError = function (doc, math, err) {
        report("cannot typeset", math.math, err);
        doc.typesetError(math, err);
      };
      config.loader = {failed: function (err) { report("cannot load", err.package, err); }};
      config.startup = {
        pageReady: function () {
          function done() { root.setAttribute("data-math", "done"); }
          return window.MathJax.startup.defaultPageReady().then(done, function (err) {
            report("typesetting failed", "", err);
            done();
          });
        }
      };
      return config;
    }
  };
})();
