/* jiesu intake assistance on 新建工单: while the operator types, knowledge-base answers,
   the proposed classification, emergency and risk words and similar tickets (the caller's
   history is intake_caller.js). Vanilla JS, served by jiesu itself; without it the form
   works as a plain form.
   Every follow-up button submits the form itself (formaction): nothing happens on its own. */
(function () {
  "use strict";

  var form = document.querySelector("form[data-intake]");
  var panel = document.querySelector("[data-assist]");
  if (!form || !panel || !window.fetch || !window.JSON) return;
  var config = {};
  try { config = JSON.parse(panel.getAttribute("data-config") || "{}"); } catch (e) { config = {}; }
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute("content") : "";
  var status = document.querySelector("[data-assist-status]");
  var PHONE = /^[0-9+\-() ]*$/;

  // --- small helpers ----------------------------------------------------------------------
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = text; // never innerHTML
    return node;
  }
  function field(name) { return form.querySelector('[name="' + name + '"]'); }
  function value(name) { var f = field(name); return f ? f.value.trim() : ""; }
  function pct(score) { return Math.round((score || 0) * 100) + "%"; }
  function debounce(fn, ms) {
    var timer;
    return function () { clearTimeout(timer); timer = setTimeout(fn, ms); };
  }
  var timeFormat = null;
  try {
    timeFormat = new Intl.DateTimeFormat("zh-CN", { timeZone: config.tz, year: "numeric",
      month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hour12: false });
  } catch (e) { timeFormat = null; }
  function when(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) return iso || "—";
    return timeFormat ? timeFormat.format(d).replace(/\//g, "-") : d.toLocaleString();
  }
  function submitButton(label, cls, action, name, val) {
    var b = el("button", "btn " + cls, label);
    b.type = "submit";
    b.setAttribute("form", form.id);
    b.setAttribute("formaction", "/tickets/new/" + action);
    b.name = name;
    b.value = val;
    return b;
  }
  function ticketLink(number) {
    var a = el("a", "number", number);
    a.href = "/tickets/" + encodeURIComponent(number);
    a.target = "_blank";
    a.rel = "noopener";
    return a;
  }
  function api(method, url, body) {
    var init = { method: method, credentials: "same-origin", headers: { Accept: "application/json" } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.headers["X-CSRF-Token"] = csrf;
      init.body = JSON.stringify(body);
    }
    return fetch(url, init).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        return { status: r.status, ok: r.ok, data: data };
      });
    });
  }
  function setStatus(text, state) {
    if (!status) return;
    status.hidden = !text;
    status.textContent = text || "";
    status.setAttribute("data-state", state || "");
  }
  var idle = panel.querySelector("[data-assist-idle]");
  var idleText = idle.textContent;
  var analysed = false; // the text has been looked at: "nothing found" rather than "type first"
  function refreshIdle() {
    var shown = panel.querySelectorAll("[data-risk]:not([hidden]), .assist-card:not([hidden])");
    idle.hidden = shown.length > 0;
    idle.textContent = analysed ? "未发现可直接答复的知识库条目、紧急情形或相似工单。" : idleText;
  }

  // --- what the operator chose stays chosen -------------------------------------------------
  var tagBoxes = Array.prototype.slice.call(form.querySelectorAll('input[name="tags"]'));
  var chosen = {
    request_type: !!value("request_type"),
    category: !!value("category"),
    tags: tagBoxes.some(function (b) { return b.checked; })
  };
  ["request_type", "category"].forEach(function (name) {
    field(name).addEventListener("change", function () {
      chosen[name] = true;
      field(name).classList.remove("is-proposed");
      renderSuggestions();
    });
  });
  tagBoxes.forEach(function (b) {
    b.addEventListener("change", function () {
      chosen.tags = true;
      tagBoxes.forEach(function (x) { x.parentNode.classList.remove("is-proposed"); });
    });
  });

  // --- the proposal: pre-select what the operator has not chosen ----------------------------
  var proposal = null;

  function choose(name, code) {
    field(name).value = code;
    chosen[name] = true;
    field(name).classList.remove("is-proposed");
    renderSuggestions();
  }

  function chip(label, code, name, current) {
    var b = el("button", "chip" + (code === current ? " is-current" : ""), label);
    b.type = "button";
    b.addEventListener("click", function () { choose(name, code); });
    return b;
  }

  function suggestion(name, best, others, labels) {
    var box = form.querySelector('[data-suggest="' + name + '"]');
    box.textContent = "";
    box.hidden = !best;
    if (!best) return;
    var current = field(name).value;
    box.appendChild(el("span", "ai-badge", "智能建议"));
    box.appendChild(chip((labels[best.code] || best.code) + " " + pct(best.score), best.code, name, current));
    if (others.length) {
      box.appendChild(el("span", "muted", "其他可能"));
      others.forEach(function (o) {
        box.appendChild(chip((labels[o.code] || o.code) + " " + pct(o.score), o.code, name, current));
      });
    }
  }

  function renderSuggestions() {
    if (!proposal) return;
    var typeScores = proposal.scores.request_type || {};
    var others = Object.keys(typeScores)
      .filter(function (c) { return c !== proposal.request_type && typeScores[c] >= 0.1; })
      .sort(function (a, b) { return typeScores[b] - typeScores[a]; }).slice(0, 2)
      .map(function (c) { return { code: c, score: typeScores[c] }; });
    suggestion("request_type",
      { code: proposal.request_type, score: typeScores[proposal.request_type] }, others, config.types || {});
    var cat = proposal.category;
    suggestion("category", cat, cat ? cat.alternatives : [], config.categories || {});
    var note = form.querySelector('[data-suggest="tags"]');
    note.hidden = !proposal.tags.length;
    note.textContent = proposal.tags.length ? "智能建议：" + proposal.tags.map(function (t) {
      return (config.tags || {})[t] || t;
    }).join("、") : "";
  }

  function showProposal(p) {
    proposal = p;
    field("proposal_request_type").value = p.request_type || "";
    field("proposal_category").value = p.category ? p.category.code : "";
    field("proposal_tags").value = p.tags.join(",");
    field("proposal_model_version").value = p.model_version || "";
    if (!chosen.request_type) {
      field("request_type").value = p.request_type;
      field("request_type").classList.toggle("is-proposed", !!p.request_type);
    }
    if (!chosen.category) {
      field("category").value = p.category ? p.category.code : "";
      field("category").classList.toggle("is-proposed", !!p.category);
    }
    if (!chosen.tags) {
      tagBoxes.forEach(function (b) {
        b.checked = p.tags.indexOf(b.value) >= 0;
        b.parentNode.classList.toggle("is-proposed", b.checked);
      });
    }
    renderSuggestions();
  }

  // --- emergency and risk words: the operator confirms or dismisses -------------------------
  var dismissed = {};
  var riskBox = panel.querySelector("[data-risk]");

  function showRisks(risks, emergency) {
    var words = risks.map(function (r) { return r.word; });
    var fresh = words.filter(function (w) { return !dismissed[w]; });
    field("risk_words").value = words.join("、");
    riskBox.textContent = "";
    riskBox.hidden = !fresh.length;
    if (!fresh.length) return;
    riskBox.className = "risk-banner" + (emergency.suggested ? " is-emergency" : " is-risk");
    riskBox.appendChild(el("h2", null, "检测到紧急或风险情形"));
    var kinds = {};
    risks.forEach(function (r) {
      var k = kinds[r.kind] || (kinds[r.kind] = { label: r.label_zh, line: r.line, words: [] });
      if (k.words.indexOf(r.word) < 0) k.words.push(r.word);
    });
    var list = el("ul", "risk-list");
    Object.keys(kinds).forEach(function (key) {
      var k = kinds[key];
      var li = el("li");
      li.appendChild(el("strong", null, k.label + "："));
      li.appendChild(el("span", "risk-words", "“" + k.words.join("”“") + "”"));
      li.appendChild(el("span", "risk-line", k.line
        ? " → 建议转 " + k.line + " " + ((config.lines || {})[k.line] || "") : " → 请留意，记录在案"));
      list.appendChild(li);
    });
    riskBox.appendChild(list);
    if (emergency.crisis) {
      riskBox.appendChild(el("p", "risk-crisis",
        "可能涉及自杀自伤：请保持通话、安抚来电人，同时转 110。"));
    }
    var actions = el("div", "risk-actions");
    emergency.lines.forEach(function (line) {
      actions.appendChild(submitButton("确认转" + line, "btn-danger", "emergency", "line", line));
    });
    var no = el("button", "btn btn-quiet", emergency.suggested ? "不是紧急情况" : "知道了");
    no.type = "button";
    no.addEventListener("click", function () {
      words.forEach(function (w) { dismissed[w] = true; });
      riskBox.hidden = true;
      refreshIdle();
    });
    actions.appendChild(no);
    riskBox.appendChild(actions);
    if (emergency.lines.length) {
      riskBox.appendChild(el("p", "small", "确认后登记本工单，并按“紧急事项转紧急热线”处置，记录在案。"));
    }
  }

  // --- similar tickets: merge in one step ----------------------------------------------------
  function showDuplicates(dups) {
    var box = panel.querySelector("[data-dups]");
    var list = box.querySelector("[data-dup-list]");
    list.textContent = "";
    box.hidden = !dups.length;
    dups.forEach(function (d) {
      var li = el("li", "assist-item dup");
      li.setAttribute("data-number", d.number);
      var head = el("div", "item-head");
      head.appendChild(ticketLink(d.number));
      head.appendChild(el("span", "status status-" + d.status, d.status_zh));
      head.appendChild(el("span", "score", "相似度 " + pct(d.score)));
      li.appendChild(head);
      li.appendChild(el("div", "item-title", d.title || "（无标题）"));
      li.appendChild(el("div", "muted small", when(d.received_at) + " · " +
        ((config.categories || {})[d.category] || d.category)));
      var reasons = el("ul", "reasons");
      d.reasons.forEach(function (r) {
        reasons.appendChild(el("li", null, r.label_zh + (r.detail ? "：" + r.detail : "")));
      });
      li.appendChild(reasons);
      if ((config.terminal || []).indexOf(d.status) >= 0) {
        li.appendChild(el("div", "small muted", "该工单已办结，不能并单；可按重复诉求告知其办理结果。"));
        li.appendChild(submitButton("告知原工单结果", "btn-small", "repeat", "original_number", d.number));
      } else {
        li.appendChild(submitButton("并入此工单", "btn-small", "merge", "into_number", d.number));
      }
      list.appendChild(li);
    });
  }

  // --- the lead unit the dispatch suggestions propose (D7): shown, decided at dispatch --------
  function showLeads(leads) {
    var box = panel.querySelector("[data-leads]");
    var list = box.querySelector("[data-lead-list]");
    list.textContent = "";
    box.hidden = !leads.length;
    leads.forEach(function (c) {
      var li = el("li", "assist-item lead");
      var head = el("div", "item-head");
      head.appendChild(el("span", "item-title", c.unit_name));
      head.appendChild(el("span", "score", "评分 " + pct(c.score)));
      li.appendChild(head);
      var reasons = el("ul", "reasons");
      c.reasons.forEach(function (r) { reasons.appendChild(el("li", null, r)); });
      li.appendChild(reasons);
      if (c.co_handlers.length) li.appendChild(el("div", "muted small", "协办：" + c.co_handlers.join("、")));
      list.appendChild(li);
    });
  }

  // --- knowledge-base answers: answer directly in one step ----------------------------------
  function showKb(hits) {
    var box = panel.querySelector("[data-kb]");
    var list = box.querySelector("[data-kb-list]");
    list.textContent = "";
    box.hidden = !hits.length;
    hits.forEach(function (h) {
      var li = el("li", "assist-item kb-item");
      li.setAttribute("data-article", h.article_id);
      var q = el("a", "item-title", h.question);
      q.href = "/kb/articles/" + h.article_id;
      q.target = "_blank";
      q.rel = "noopener";
      li.appendChild(q);
      li.appendChild(el("div", "snippet", h.snippet));
      li.appendChild(el("div", "muted small", [h.source, h.unit_name].join(" · ")));
      li.appendChild(submitButton("直接答复", "btn-small btn-primary", "answer", "article_id",
        String(h.article_id)));
      list.appendChild(li);
    });
  }

  // --- asking the server -------------------------------------------------------------------
  var assistSeq = 0;
  var kbSeq = 0;

  function location() {
    return value("loc_community") || value("loc_street") || value("loc_district") || null;
  }

  function runAssist() {
    var title = value("title");
    var content = value("content");
    var mine = ++assistSeq;
    if ((title + content).length < 2) { // cleared: nothing to warn about or merge with
      analysed = false;
      showRisks([], { suggested: false, lines: [], crisis: false });
      showDuplicates([]);
      showLeads([]);
      refreshIdle();
      setStatus("");
      return;
    }
    var body = { title: title.slice(0, 200), content: content.slice(0, 20000),
      address: value("address").slice(0, 300), location_unit_code: location() };
    var phone = value("requester_phone");
    if (PHONE.test(phone)) body.requester_phone = phone;
    if (chosen.category && value("category")) body.category = value("category");
    setStatus("正在分析……", "busy");
    var started = Date.now();
    api("POST", "/api/intake/assist", body).then(function (r) {
      if (mine !== assistSeq) return; // a newer question is under way
      if (!r.ok) {
        setStatus("受理辅助暂不可用（" + ((r.data && r.data.code) || r.status) + "），可照常登记", "error");
        return;
      }
      showProposal(r.data.proposal);
      showRisks(r.data.risks, r.data.emergency);
      showDuplicates(r.data.duplicates);
      showLeads(r.data.leads || []);
      analysed = true;
      refreshIdle();
      setStatus("智能辅助已更新（模型 " + r.data.proposal.model_version + "，" +
        (Date.now() - started) + " 毫秒）", "ok");
    }).catch(function () {
      if (mine === assistSeq) setStatus("受理辅助暂不可用，可照常登记", "error");
    });
  }

  function runKb() {
    var q = (value("title") + " " + value("content")).trim().slice(0, 200);
    var mine = ++kbSeq;
    if (q.length < 2) { panel.querySelector("[data-kb]").hidden = true; refreshIdle(); return; }
    api("GET", "/api/kb/search?limit=3&q=" + encodeURIComponent(q)).then(function (r) {
      if (mine !== kbSeq || !r.ok) return;
      showKb(r.data.hits || []);
      refreshIdle();
    }).catch(function () { /* the plain form still works */ });
  }

  // --- wiring ------------------------------------------------------------------------------
  var onText = debounce(function () { runAssist(); runKb(); }, 300);
  var onPlace = debounce(runAssist, 300);
  var onPhone = debounce(runAssist, 300); // the same caller's tickets rank as repeats
  ["title", "content"].forEach(function (n) { field(n).addEventListener("input", onText); });
  field("address").addEventListener("input", onPlace);
  ["loc_district", "loc_street", "loc_community"].forEach(function (n) {
    field(n).addEventListener("change", onPlace);
  });
  field("category").addEventListener("change", onPlace);
  field("requester_phone").addEventListener("input", onPhone);

  panel.hidden = false;
  document.body.classList.add("has-assist");
  // A form refilled by the server (after an error) gets its assistance at once.
  if ((value("title") + value("content")).length >= 2) { runAssist(); runKb(); }
  // What intake_caller.js (the caller's history) shares with this file.
  window.jiesuIntake = { el: el, api: api, when: when, value: value, field: field,
    ticketLink: ticketLink, debounce: debounce, refreshIdle: refreshIdle, config: config,
    panel: panel, PHONE: PHONE };
})();
