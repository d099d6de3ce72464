/* jiesu console: live deadline countdowns, unit pickers, the location picker, single submit.
   Vanilla JS, served by jiesu itself; every page works without it, only less comfortably. */
(function () {
  "use strict";

  // --- deadline countdowns ----------------------------------------------------------------
  // The server's clock decides (it may be a test clock): remember how far ours is off.
  var serverNow = Date.parse(document.body.getAttribute("data-now") || "");
  var skew = isNaN(serverNow) ? 0 : serverNow - Date.now();

  function span(ms) {
    var minutes = Math.floor(Math.abs(ms) / 60000);
    var days = Math.floor(minutes / 1440);
    var hours = Math.floor((minutes % 1440) / 60);
    var mins = minutes % 60;
    if (days) return days + "天" + hours + "小时";
    if (hours) return hours + "小时" + mins + "分";
    return mins ? mins + "分钟" : "不足1分钟";
  }

  function tick() {
    var now = Date.now() + skew;
    document.querySelectorAll(".deadline[data-due]").forEach(function (el) {
      var due = Date.parse(el.getAttribute("data-due"));
      // Yellow from the time the server computed with the city's warn share (the watch's).
      var warn = Date.parse(el.getAttribute("data-warn") || "");
      var left = due - now;
      var state = "ok";
      if (left < 0) state = "late";
      else if (!isNaN(warn) && now >= warn) state = "warn";
      el.classList.remove("cd-ok", "cd-warn", "cd-late");
      el.classList.add("cd-" + state);
      var text = el.querySelector(".cd-text");
      if (text) text.textContent = (left < 0 ? "已超期" : "剩余") + span(left);
    });
  }

  // --- unit pickers: search by name, more units fetched from /api/units -------------------
  function debounce(fn, ms) {
    var timer;
    return function () {
      var args = arguments;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(null, args); }, ms);
    };
  }

  function unitPicker(box) {
    var input = box.querySelector(".unit-search");
    var select = box.querySelector("select");
    var kinds = {};
    try { kinds = JSON.parse(box.getAttribute("data-kinds") || "{}"); } catch (e) { kinds = {}; }
    var found = null;

    function filter(q) {
      select.querySelectorAll("option").forEach(function (opt) {
        if (!opt.value) return;
        var hit = !q || opt.textContent.indexOf(q) >= 0 || opt.value === q;
        opt.hidden = !hit && !opt.selected;
      });
    }

    var search = debounce(function (q) {
      if (q.length < 1) return;
      fetch("/api/units?limit=50&q=" + encodeURIComponent(q), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (units) {
          if (input.value.trim() !== q) return; // a newer search is under way
          if (found) found.remove();
          found = document.createElement("optgroup");
          found.label = "搜索结果";
          units.forEach(function (u) {
            if (u.kind === "hotline" || u.kind === "city_government") return;
            var opt = document.createElement("option");
            opt.value = u.code;
            opt.textContent = u.name + "（" + (kinds[u.kind] || u.kind) + "）";
            found.appendChild(opt);
          });
          if (found.children.length) select.insertBefore(found, select.children[1] || null);
          box.setAttribute("data-searched", q);
        });
    }, 200);

    input.addEventListener("input", function () {
      var q = input.value.trim();
      filter(q);
      search(q);
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter") e.preventDefault(); // Enter searches, it does not submit
    });
  }

  // --- the location picker: district → street → community -------------------------------
  function locationPicker(box) {
    var selects = box.querySelectorAll("select[data-level]");
    selects.forEach(function (select, i) {
      select.addEventListener("change", function () {
        for (var j = i + 1; j < selects.length; j++) {
          selects[j].length = 1; // keep "请选择"
        }
        var next = selects[i + 1];
        var kind = select.getAttribute("data-child-kind");
        if (!next || !kind || !select.value) return;
        var url = "/api/units?limit=1000&kind=" + kind + "&parent=" + encodeURIComponent(select.value);
        fetch(url, { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (units) {
            units.forEach(function (u) {
              var opt = document.createElement("option");
              opt.value = u.code;
              opt.textContent = u.name;
              next.appendChild(opt);
            });
            next.setAttribute("data-loaded", select.value);
          });
      });
    });
  }

  // --- the merged-hotline number only for the merged-hotline channel ---------------------
  function channelToggle(select) {
    var hotline = document.querySelector("[data-hotline]");
    if (!hotline) return;
    function update() { hotline.hidden = select.value !== "merged_hotline"; }
    select.addEventListener("change", update);
    update();
  }

  // --- co-handler rows on the dispatch form: one at a time ---------------------------------
  function coRows(box) {
    var rows = Array.prototype.slice.call(box.querySelectorAll(".co-row"));
    function filled(row) {
      return Array.prototype.some.call(row.querySelectorAll("select, input:not(.unit-search)"),
        function (el) { return el.value; });
    }
    var shown = 1;
    rows.forEach(function (row, i) { if (filled(row)) shown = i + 1; });
    rows.forEach(function (row, i) { row.hidden = i >= shown; });
    if (shown >= rows.length) return;
    var more = document.createElement("button");
    more.type = "button";
    more.className = "btn btn-small co-more";
    more.textContent = box.getAttribute("data-more-label") || "＋ 再加一个协办单位";
    more.addEventListener("click", function () {
      rows[shown].hidden = false;
      shown += 1;
      if (shown >= rows.length) more.remove();
    });
    box.appendChild(more);
  }

  // --- a form is sent once: a double click does not post twice --------------------------
  function once(form) {
    form.addEventListener("submit", function (e) {
      if (form.getAttribute("data-sent")) { e.preventDefault(); return; }
      form.setAttribute("data-sent", "1");
      setTimeout(function () {
        form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
      }, 0);
    });
  }

  document.querySelectorAll("[data-unit-picker]").forEach(unitPicker);
  document.querySelectorAll("[data-location]").forEach(locationPicker);
  document.querySelectorAll("select[data-channel]").forEach(channelToggle);
  document.querySelectorAll("form[data-once]").forEach(once);
  document.querySelectorAll(".co-rows").forEach(coRows);
  // Back to a page kept in the browser's cache: its forms may be sent again.
  window.addEventListener("pageshow", function (e) {
    if (!e.persisted) return;
    document.querySelectorAll("form[data-sent]").forEach(function (form) {
      form.removeAttribute("data-sent");
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = false; });
    });
  });
  tick();
  setInterval(tick, 30000);
})();
