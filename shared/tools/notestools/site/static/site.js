/* d2l-notes site: language switch for bilingual pages, MathJax error reporting. No network. */
(function () {
  "use strict";
  var KEY = "d2l-notes-show";
  var root = document.documentElement;

  function stored() {
    try { return window.localStorage.getItem(KEY); } catch (e) { return null; }
  }
  function show(value) {
    if (value !== "zh" && value !== "en") value = "both";
    root.setAttribute("data-show", value);
    try { window.localStorage.setItem(KEY, value); } catch (e) { /* file:// may refuse */ }
    var buttons = document.querySelectorAll(".d2l-langswitch button");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].setAttribute("aria-pressed", String(buttons[i].getAttribute("data-show") === value));
    }
  }
  // Only a bilingual build offers the switch; apply the stored choice before first paint.
  if (root.getAttribute("data-site-lang") === "both") {
    root.setAttribute("data-show", stored() || "both");
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (root.getAttribute("data-site-lang") === "both") show(root.getAttribute("data-show"));
    document.addEventListener("click", function (event) {
      var button = event.target.closest && event.target.closest(".d2l-langswitch button");
      if (button) show(button.getAttribute("data-show"));
    });
  });

  window.d2lSite = {
    show: show,
    /* Called from the MathJax configuration: a formula MathJax cannot typeset becomes a
       console error (which the browser test catches), and <html data-math="done"> marks
       the end of typesetting. */
    watchMathJax: function (MathJax) {
      function report(message) {  // [hook name, error text, TeX source, ...]
        var parts = [].slice.call(message, 0, 3).filter(function (m) { return typeof m === "string"; });
        console.error("MathJax: " + parts.join(": "));
      }
      MathJax.Hub.Register.MessageHook("TeX Jax - parse error", report);
      MathJax.Hub.Register.MessageHook("Math Processing Error", report);
      MathJax.Hub.Register.MessageHook("file load error", report);
      MathJax.Hub.Register.StartupHook("End", function () {
        root.setAttribute("data-math", "done");
      });
    }
  };
})();
