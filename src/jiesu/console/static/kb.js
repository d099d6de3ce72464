/* jiesu knowledge base: results while the operator types (GET /api/kb/search).
   Vanilla JS, served by jiesu itself. Without it the search form reloads the page. */
(function () {
  "use strict";

  var input = document.querySelector("[data-kb-search]");
  var list = document.querySelector("[data-kb-results]");
  var status = document.querySelector("[data-kb-status]");
  if (!input || !list) return;
  var ticket = list.getAttribute("data-ticket") || "";
  var latest = 0; // only the answer to the newest query is shown
  var timer = null;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text; // never innerHTML: texts come from units
    return node;
  }

  function render(q, body) {
    list.textContent = "";
    body.hits.forEach(function (h) {
      var li = el("li", "card kb-hit");
      li.setAttribute("data-article", h.article_id);
      var a = el("a", "kb-question", h.question);
      a.href = "/kb/articles/" + h.article_id + (ticket ? "?ticket=" + encodeURIComponent(ticket) : "");
      li.appendChild(a);
      li.appendChild(el("div", "snippet", h.snippet));
      li.appendChild(el("div", "muted small", [h.source, h.unit_name, h.categories.join("、"),
        "相关度 " + h.score.toFixed(2)].join(" · ")));
      list.appendChild(li);
    });
    if (status) {
      status.textContent = q ? "找到 " + body.hits.length + " 条有效条目（" + body.took_ms + " 毫秒）"
        : "只检索已发布且在有效期内的条目";
    }
  }

  function run() {
    var q = input.value.trim();
    var mine = ++latest;
    if (!q) { render("", { hits: [], took_ms: 0 }); return; }
    fetch("/api/kb/search?limit=10&q=" + encodeURIComponent(q), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) {
        if (body && mine === latest) {
          render(q, body);
          var url = new URL(window.location.href);
          url.searchParams.set("q", q);
          window.history.replaceState(null, "", url.toString());
        }
      })
      .catch(function () { /* the form still works: Enter reloads the page */ });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(run, 120);
  });
  // Arrow down from the box goes to the first result; Enter on a result opens it.
  input.addEventListener("keydown", function (e) {
    if (e.key === "ArrowDown") {
      var first = list.querySelector("a");
      if (first) { e.preventDefault(); first.focus(); }
    }
  });
})();
