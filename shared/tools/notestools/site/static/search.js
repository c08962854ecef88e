/* d2l-notes site: search every page from the top bar, offline.
   The index (static/search-index.js, written by notestools/site/search.py) is a script that
   sets window.d2lSearchIndex, loaded on first use: pages opened from file:// may load
   scripts but not fetch files. A query is cut into terms: Latin words, and Chinese as
   character bigrams (Chinese has no spaces between words, so "交叉熵损失" finds "交叉熵" and
   "损失" wherever they appear together). A heading matches when its text holds every term. */
(function () {
  "use strict";
  var MAX_RESULTS = 30;
  var CONTEXT = 60;  // characters of context each side of the first match
  var HAN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/;
  var RUNS = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[^\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+/g;
  var SEPARATORS = /[\s,.;:!?()\[\]{}"'`，。、；：！？（）【】《》“”‘’·]+/;

  var entries = null;  // [{page, href, where, heading, text, lower: {heading, text, title}}]
  var waiting = [];

  function loadIndex(root, done) {
    if (entries) return done();
    waiting.push(done);
    if (waiting.length > 1) return;
    var script = document.createElement("script");
    script.src = root + "static/search-index.js";
    script.onload = function () {
      entries = prepare(window.d2lSearchIndex, root);
      waiting.splice(0).forEach(function (callback) { callback(); });
    };
    script.onerror = function () {
      console.error("d2l-notes search: cannot load " + script.src);
      waiting = [];
    };
    document.head.appendChild(script);
  }

  function prepare(index, root) {
    return index.entries.map(function (e, order) {
      var page = index.pages[e[0]];
      var heading = e[2], text = e[3];
      return {
        order: order, title: page[1], heading: heading, text: text,
        href: root + page[0] + (e[1] ? "#" + encodeURIComponent(e[1]) : ""),
        lower: {title: page[1].toLowerCase(), heading: heading.toLowerCase(),
                text: text.toLowerCase()}
      };
    });
  }

  function terms(query) {
    var found = [];
    query.toLowerCase().split(SEPARATORS).forEach(function (chunk) {
      (chunk.match(RUNS) || []).forEach(function (run) {
        if (!HAN.test(run)) return found.push(run);
        if (run.length === 1) return found.push(run);
        for (var i = 0; i + 1 < run.length; i++) found.push(run.substr(i, 2));
      });
    });
    return found.filter(function (t, i) { return t && found.indexOf(t) === i; });
  }

  function score(entry, words, phrase) {
    var total = 0, lower = entry.lower;
    for (var i = 0; i < words.length; i++) {
      var inHeading = lower.heading.indexOf(words[i]) >= 0;
      var inText = lower.text.indexOf(words[i]) >= 0;
      var inTitle = lower.title.indexOf(words[i]) >= 0;
      if (!inHeading && !inText && !inTitle) return 0;
      total += (inHeading ? 10 : 0) + (inText ? 2 : 0) + (inTitle ? 1 : 0);
    }
    if (lower.heading.indexOf(phrase) >= 0) total += 30;
    else if (lower.text.indexOf(phrase) >= 0) total += 10;
    return total;
  }

  function search(query) {
    var words = terms(query), phrase = query.trim().toLowerCase();
    if (!words.length) return [];
    return entries.map(function (e) { return {entry: e, score: score(e, words, phrase)}; })
      .filter(function (r) { return r.score > 0; })
      .sort(function (a, b) { return b.score - a.score || a.entry.order - b.entry.order; })
      .slice(0, MAX_RESULTS)
      .map(function (r) { return r.entry; });
  }

  function escapeHtml(text) {
    return text.replace(/[&<>"]/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;"}[c];
    });
  }

  /* The text with every occurrence of the terms in <mark> (overlapping bigrams merge). */
  function highlight(text, words) {
    var lower = text.toLowerCase(), marked = new Array(text.length + 1).join("0").split("");
    words.forEach(function (w) {
      for (var at = lower.indexOf(w); at >= 0; at = lower.indexOf(w, at + 1)) {
        for (var k = at; k < at + w.length; k++) marked[k] = "1";
      }
    });
    var html = "", open = false;
    for (var i = 0; i < text.length; i++) {
      if (marked[i] === "1" && !open) { html += "<mark>"; open = true; }
      if (marked[i] !== "1" && open) { html += "</mark>"; open = false; }
      html += escapeHtml(text[i]);
    }
    return html + (open ? "</mark>" : "");
  }

  function snippet(text, words, phrase) {
    var lower = text.toLowerCase(), at = lower.indexOf(phrase);
    for (var i = 0; at < 0 && i < words.length; i++) at = lower.indexOf(words[i]);
    if (at < 0) at = 0;
    var start = Math.max(0, at - CONTEXT), end = Math.min(text.length, at + 2 * CONTEXT);
    return (start > 0 ? "…" : "") + highlight(text.slice(start, end), words) +
      (end < text.length ? "…" : "");
  }

  function render(box, results, query) {
    var list = box.querySelector(".d2l-search-results");
    var words = terms(query), phrase = query.trim().toLowerCase();
    list.innerHTML = "";
    if (!results.length) {
      list.innerHTML = '<p class="d2l-search-none">' + escapeHtml(box.getAttribute("data-none")) + "</p>";
    }
    results.forEach(function (e) {
      var hit = document.createElement("a");
      hit.className = "d2l-hit";
      hit.href = e.href;
      var where = e.heading === e.title ? e.title : e.title + " › " + e.heading;
      hit.innerHTML = '<span class="d2l-hit-where">' + highlight(where, words) + "</span>" +
        (e.text ? '<span class="d2l-hit-text">' + snippet(e.text, words, phrase) + "</span>" : "");
      list.appendChild(hit);
    });
    list.hidden = false;
  }

  function setUp(box) {
    var input = box.querySelector(".d2l-search-input");
    var list = box.querySelector(".d2l-search-results");
    var root = box.getAttribute("data-root") || "";
    function update() {
      var query = input.value;
      if (!query.trim()) { list.hidden = true; return; }
      if (!entries) {
        list.innerHTML = '<p class="d2l-search-none">' + escapeHtml(box.getAttribute("data-loading")) + "</p>";
        list.hidden = false;
      }
      loadIndex(root, function () { if (input.value === query) render(box, search(query), query); });
    }
    input.addEventListener("input", update);
    input.addEventListener("focus", function () { loadIndex(root, function () {}); update(); });
    input.addEventListener("keydown", function (event) {
      var hits = [].slice.call(list.querySelectorAll(".d2l-hit"));
      if (event.key === "Enter" && hits.length) { event.preventDefault(); hits[0].click(); }
      if (event.key === "ArrowDown" && hits.length) { event.preventDefault(); hits[0].focus(); }
      if (event.key === "Escape") { list.hidden = true; input.blur(); }
    });
    list.addEventListener("keydown", function (event) {
      var hits = [].slice.call(list.querySelectorAll(".d2l-hit"));
      var at = hits.indexOf(document.activeElement);
      if (event.key === "ArrowDown" && at + 1 < hits.length) { event.preventDefault(); hits[at + 1].focus(); }
      if (event.key === "ArrowUp") { event.preventDefault(); (at > 0 ? hits[at - 1] : input).focus(); }
      if (event.key === "Escape") { list.hidden = true; input.focus(); }
    });
    list.addEventListener("click", function (event) {
      if (event.target.closest(".d2l-hit")) list.hidden = true;  // same page: just scroll
    });
    document.addEventListener("click", function (event) {
      if (!box.contains(event.target)) list.hidden = true;
    });
    document.addEventListener("keydown", function (event) {  // "/" focuses the search box
      var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName);
      if (event.key === "/" && !typing) { event.preventDefault(); input.focus(); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    [].forEach.call(document.querySelectorAll(".d2l-search"), setUp);
  });
  window.d2lSearch = {terms: terms, search: function (query) { return entries ? search(query) : null; }};
})();
