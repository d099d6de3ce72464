/* jiesu intake assistance, the caller (I8): when a phone number is typed on 新建工单, the
   caller's history from GET /api/requesters/lookup — the "频繁来电" flag with the window
   counts, recent tickets, earlier persuasion — and a small form to record the persuasion
   given (POST /api/requesters/{id}/notes). A flag never stops the new matter being taken.
   Uses the helpers intake.js shares; without JavaScript nothing of this is shown. */
(function () {
  "use strict";

  var k = window.jiesuIntake;
  if (!k) return;
  var el = k.el, api = k.api, when = k.when, config = k.config;
  var noteLabels = {};
  (config.notes || []).forEach(function (pair) { noteLabels[pair[0]] = pair[1]; });

  var callerSeq = 0;
  var callerBox = k.panel.querySelector("[data-caller]");
  var callerBody = callerBox.querySelector("[data-caller-body]");

  function noteForm(requesterId) {
    var box = el("div", "note-form");
    var label = el("label", null, "记录本次劝导或说明");
    var kind = el("select");
    (config.notes || []).forEach(function (pair) {
      var o = el("option", null, pair[1]);
      o.value = pair[0];
      kind.appendChild(o);
    });
    var text = el("textarea");
    text.rows = 2;
    text.maxLength = 2000;
    text.placeholder = "例如：已告知其诉求正在办理，请勿重复拨打";
    label.appendChild(text);
    var row = el("div", "note-actions");
    var save = el("button", "btn btn-small", "记录劝导");
    save.type = "button";
    var said = el("span", "small");
    save.addEventListener("click", function () {
      var note = text.value.trim();
      if (!note) { text.focus(); return; }
      save.disabled = true;
      api("POST", "/api/requesters/" + requesterId + "/notes", { kind: kind.value, note: note })
        .then(function (r) {
          save.disabled = false;
          if (!r.ok) { said.textContent = (r.data && r.data.message_zh) || "未能记录"; return; }
          showCaller(r.data);
          callerBody.querySelector(".note-form .small").textContent = "已记录";
        }).catch(function () { save.disabled = false; said.textContent = "未能记录，请重试"; });
    });
    row.appendChild(kind);
    row.appendChild(save);
    row.appendChild(said);
    box.appendChild(label);
    box.appendChild(row);
    return box;
  }

  function showCaller(c) {
    callerBody.textContent = "";
    callerBox.hidden = false;
    callerBox.classList.toggle("is-flagged", !!c.flagged);
    var head = el("div", "item-head");
    head.appendChild(el("strong", null, c.name || "（未留姓名）"));
    if (c.flagged) head.appendChild(el("span", "flag-frequent", "频繁来电"));
    var name = k.field("requester_name");
    if (c.name && name && !name.value.trim()) {
      var fill = el("button", "chip", "填入姓名");
      fill.type = "button";
      fill.addEventListener("click", function () { name.value = c.name; fill.remove(); });
      head.appendChild(fill);
    }
    callerBody.appendChild(head);
    var windows = el("div", "windows");
    c.windows.forEach(function (w) {
      windows.appendChild(el("span", "window" + (w.flagged ? " is-over" : ""),
        "近" + w.days + "天 " + w.count + " 次（阈值 " + w.threshold + "）"));
    });
    callerBody.appendChild(windows);
    callerBody.appendChild(el("div", "muted small", "首次来电 " + when(c.first_seen_at)));
    if (c.flagged) {
      callerBody.appendChild(el("p", "small", "频繁来电不影响受理本次诉求；如属重复诉求，可告知进展并记录劝导。"));
    }
    if (c.recent.length) {
      callerBody.appendChild(el("h3", null, "近期工单"));
      var recent = el("ul", "plain-list");
      c.recent.slice(0, 5).forEach(function (t) {
        var li = el("li");
        li.appendChild(k.ticketLink(t.number));
        li.appendChild(el("span", "status status-" + t.status, (config.statuses || {})[t.status] || t.status));
        li.appendChild(el("span", null, " " + (t.title || "（无标题）")));
        li.appendChild(el("span", "muted small", " " + when(t.received_at)));
        recent.appendChild(li);
      });
      callerBody.appendChild(recent);
    }
    if (c.notes.length) {
      callerBody.appendChild(el("h3", null, "劝导记录"));
      var notes = el("ul", "plain-list notes");
      c.notes.slice(0, 5).forEach(function (n) {
        var li = el("li");
        li.appendChild(el("span", "tag", noteLabels[n.kind] || n.kind));
        li.appendChild(el("span", null, " " + n.note));
        li.appendChild(el("div", "muted small", n.username + " · " + when(n.at) +
          (n.ticket ? " · " + n.ticket : "")));
        notes.appendChild(li);
      });
      callerBody.appendChild(notes);
    }
    callerBody.appendChild(noteForm(c.requester_id));
  }

  function runCaller() {
    var phone = k.value("requester_phone");
    var digits = phone.replace(/\D/g, "");
    var mine = ++callerSeq;
    if (digits.length < 7 || !k.PHONE.test(phone)) { callerBox.hidden = true; k.refreshIdle(); return; }
    api("GET", "/api/requesters/lookup?phone=" + encodeURIComponent(phone)).then(function (r) {
      if (mine !== callerSeq) return;
      if (r.status === 404) {
        callerBody.textContent = "";
        callerBox.classList.remove("is-flagged");
        callerBody.appendChild(el("p", "muted", "首次来电，没有历史记录。"));
        callerBox.hidden = false;
      } else if (r.ok) {
        showCaller(r.data);
      } else {
        callerBox.hidden = true;
      }
      k.refreshIdle();
    }).catch(function () { /* the plain form still works */ });
  }

  k.field("requester_phone").addEventListener("input", k.debounce(runCaller, 300));
  if (k.value("requester_phone")) runCaller(); // a form refilled by the server
})();
