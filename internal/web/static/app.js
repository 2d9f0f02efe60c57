// Helpdesk web desk: progressive enhancement only. Every form works
// without this file; it adds live updates, uploads with progress,
// keyboard shortcuts, presence and the composer tabs.
"use strict";
(function () {
  var doc = document;
  var HD = window.HD = {};
  doc.documentElement.classList.add("js");
  var $ = function (s, el) { return (el || doc).querySelector(s); };
  var $$ = function (s, el) { return Array.prototype.slice.call((el || doc).querySelectorAll(s)); };
  var csrf = function () { var m = $('meta[name="csrf-token"]'); return m ? m.content : ""; };
  var zh = doc.documentElement.lang === "zh-CN";
  var tr = function (z, e) { return zh ? z : e; };
  var fill = function (s, o) { return s.replace(/\{(\w+)\}/g, function (_, k) { return o[k] == null ? "" : o[k]; }); };

  // The server formats times in the browser's zone once it knows it.
  try {
    var tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (tz && doc.cookie.indexOf("helpdesk_tz=" + encodeURIComponent(tz)) < 0) {
      doc.cookie = "helpdesk_tz=" + encodeURIComponent(tz) + "; path=/; max-age=31536000; samesite=lax";
    }
  } catch (e) { /* the site zone is used */ }

  var post = function (url, body) {
    return fetch(url, { method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRF-Token": csrf(), "Accept": "application/json" } });
  };
  // The header's unread-message badge refreshes itself every 30 s.
  var badge = $(".js-inbox-count");
  if (badge) {
    setInterval(function () {
      if (doc.hidden) return;
      fetch("/inbox/count", { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (j) {
          if (!j) return;
          badge.textContent = j.unread;
          badge.classList.toggle("hidden", !j.unread);
          badge.setAttribute("aria-label", tr(j.unread + " 条未读", j.unread + " unread"));
        }).catch(function () {});
    }, 30000);
  }
  var getHTML = function (url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.text();
    });
  };
  var swap = function (el, html) {
    var t = doc.createElement("template");
    t.innerHTML = html.trim();
    var n = t.content.firstElementChild;
    if (n && n.id === el.id) { el.replaceWith(n); return n; }
    el.innerHTML = html;
    return el;
  };
  var typingIn = function (e) {
    var t = e.target;
    return t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
  };

  // ---- uploads: check type and size here, upload with a progress bar ----
  function Uploader(form) {
    var input = $('input[type=file]', form);
    if (!input) return null;
    var list = $("[data-files]", form), drop = $("[data-drop]", form);
    var max = +form.dataset.maxBytes || 10485760, maxN = +form.dataset.maxFiles || 10;
    var types = (form.dataset.types || "").split(",");
    var dt = new DataTransfer(), rows = [];
    var self = { files: function () { return Array.prototype.slice.call(dt.files); }, rows: rows };
    var okType = function (f) {
      var n = f.name.toLowerCase();
      return types.some(function (t) { return t && n.endsWith(t); });
    };
    var render = function () {
      list.innerHTML = "";
      rows.length = 0;
      self.files().forEach(function (f) {
        var li = doc.createElement("li");
        li.innerHTML = '<span class="name"></span><span class="muted small"></span><progress max="100" value="0"></progress>';
        $(".name", li).textContent = f.name;
        $(".small", li).textContent = Math.max(1, Math.round(f.size / 1024)) + " KB";
        list.appendChild(li);
        rows.push(li);
      });
    };
    var problem = function (msg) {
      var li = doc.createElement("li");
      li.innerHTML = '<span class="bad"></span>';
      $(".bad", li).textContent = msg;
      list.appendChild(li);
    };
    var add = function (files) {
      var bad = [];
      Array.prototype.forEach.call(files, function (f) {
        var mb = Math.round(max / 1048576);
        if (!okType(f)) bad.push(fill(tr("{name}：不支持此类型，未添加。", "{name}: this type is not accepted."), { name: f.name }));
        else if (f.size > max) bad.push(fill(tr("{name}：超过 {max} MB，未添加。", "{name}: larger than {max} MB."), { name: f.name, max: mb }));
        else if (f.size === 0) bad.push(fill(tr("{name}：空文件。", "{name}: the file is empty."), { name: f.name }));
        else if (dt.files.length >= maxN) bad.push(fill(tr("最多 {n} 个文件。", "At most {n} files."), { n: maxN }));
        else dt.items.add(f);
      });
      input.files = dt.files;
      render();
      bad.forEach(problem);
    };
    input.addEventListener("change", function () {
      var picked = input.files;
      dt = new DataTransfer();
      add(picked);
    });
    if (drop) {
      ["dragenter", "dragover"].forEach(function (t) { drop.addEventListener(t, function (e) { e.preventDefault(); drop.classList.add("over"); }); });
      ["dragleave", "drop"].forEach(function (t) { drop.addEventListener(t, function () { drop.classList.remove("over"); }); });
      drop.addEventListener("drop", function (e) { e.preventDefault(); add(e.dataTransfer.files); });
    }
    form.addEventListener("paste", function (e) {
      var fs = [];
      Array.prototype.forEach.call((e.clipboardData || {}).items || [], function (it) {
        if (it.kind !== "file") return;
        var f = it.getAsFile();
        if (!f) return;
        var ext = f.type === "image/png" ? ".png" : f.type === "image/jpeg" ? ".jpg" : "";
        if (ext && !/\.(png|jpe?g)$/i.test(f.name)) f = new File([f], "screenshot-" + Date.now() + ext, { type: f.type });
        fs.push(f);
      });
      if (fs.length) { e.preventDefault(); add(fs); }
    });
    // upload sends each file in its own request, with progress.
    self.upload = function (number) {
      var files = self.files(), i = 0, failed = 0;
      return new Promise(function (done) {
        var next = function () {
          if (i >= files.length) return done(failed);
          var f = files[i], row = rows[i], bar = $("progress", row);
          i++;
          var fd = new FormData();
          fd.append("csrf", csrf());
          fd.append("files", f, f.name);
          var x = new XMLHttpRequest();
          x.open("POST", "/t/" + encodeURIComponent(number) + "/attach");
          x.setRequestHeader("X-CSRF-Token", csrf());
          x.setRequestHeader("Accept", "application/json");
          x.upload.onprogress = function (e) { if (e.lengthComputable) bar.value = Math.round(100 * e.loaded / e.total); };
          x.onload = function () {
            if (x.status >= 400) {
              failed++;
              var msg = fill(tr("{name}：上传失败。", "{name}: upload failed."), { name: f.name });
              try { msg = JSON.parse(x.responseText).errors.join(" ") || msg; } catch (e) { /* keep */ }
              problem(msg);
            } else bar.value = 100;
            next();
          };
          x.onerror = function () { failed++; problem(fill(tr("{name}：上传失败。", "{name}: upload failed."), { name: f.name })); next(); };
          x.send(fd);
        };
        next();
      });
    };
    return self;
  }

  // New ticket: the chosen category's fields and guide; submit, then upload.
  function newTicket() {
    var form = $("#new-ticket");
    if (!form) return;
    var sel = $("[data-switch=cat]", form);
    var show = function () {
      $$(".catpane", form).forEach(function (p) {
        var on = p.dataset.cat === sel.value;
        p.hidden = !on;
        $$("[data-required]", p).forEach(function (f) { f.required = on && f.dataset.required === "true"; });
      });
    };
    sel.addEventListener("change", show);
    show();
    var up = Uploader(form), status = $("#submit-status");
    var sending = false;
    form.addEventListener("submit", function (e) {
      if (!up || !up.files().length || sending) return; // a plain post is fine
      e.preventDefault();
      sending = true;
      status.textContent = tr("正在提交…", "Submitting…");
      var fd = new FormData(form);
      fd.delete("files");
      post(form.action, fd).then(function (r) {
        return r.json().then(function (b) { return { ok: r.ok, body: b }; });
      }).then(function (res) {
        if (!res.ok || !res.body.location) { form.submit(); return; } // the server shows the errors
        var number = res.body.location.split("/").pop();
        up.upload(number).then(function (failed) {
          setTimeout(function () { location.href = res.body.location; }, failed ? 2500 : 0);
        });
      }).catch(function () { form.submit(); });
    });
  }

  // New ticket: suggested articles as the customer types; "solved" deflects.
  function deflect() {
    var box = $("#deflect"), form = $("#new-ticket"), df = $("#deflect-form");
    if (!box || !form || !df) return;
    var t = $("#title", form), d = $("#description", form), c = $("#category", form), last = "", timer = null, seq = 0;
    var ask = function () {
      var q = "title=" + encodeURIComponent(t.value.trim()) + "&description=" + encodeURIComponent(d.value.trim().slice(0, 2000)) +
        "&category=" + encodeURIComponent(c.value);
      if (q === last) return;
      last = q;
      var n = ++seq;
      getHTML(box.dataset.suggest + "?" + q).then(function (h) {
        if (n !== seq) return; // a newer one is coming
        box.innerHTML = h;
        box.hidden = !$("li", box);
      }).catch(function () {});
    };
    [t, d].forEach(function (el) {
      el.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(ask, 400); });
    });
    if (t.value || d.value) ask();
    // "Solved" posts the deflection form, which is outside the ticket form.
    box.addEventListener("click", function (e) {
      var b = e.target.closest("[data-deflect]");
      if (!b) return;
      df.elements.article_id.value = b.dataset.deflect;
      df.elements.category.value = c.value;
      var fd = new FormData(df);
      fd.set("part", "1");
      post(df.action, fd).then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.text();
      }).then(function (h) {
        box.innerHTML = h;
        box.scrollIntoView({ block: "center" });
      }).catch(function () { df.submit(); });
    });
  }

  // Attachments added on a ticket page.
  function attachForms() {
    $$("form.js-upload").forEach(function (form) {
      var up = Uploader(form);
      if (!up) return;
      form.addEventListener("submit", function (e) {
        if (!up.files().length) return;
        e.preventDefault();
        var number = location.pathname.split("/")[2];
        up.upload(number).then(function () { location.reload(); });
      });
    });
  }

  // Composer tabs: a public reply and an internal note are separate forms.
  function tabs() {
    var list = $("[role=tablist]");
    if (!list) return;
    var ts = $$("[role=tab]", list);
    var select = function (t, focus) {
      ts.forEach(function (x) {
        var on = x === t, pane = doc.getElementById(x.getAttribute("aria-controls"));
        x.setAttribute("aria-selected", on ? "true" : "false");
        x.tabIndex = on ? 0 : -1;
        if (pane) { if (on) pane.removeAttribute("data-hidden"); else pane.setAttribute("data-hidden", ""); }
      });
      if (focus) t.focus();
    };
    ts.forEach(function (t, i) {
      t.addEventListener("click", function () { select(t); });
      t.addEventListener("keydown", function (e) {
        if (e.key === "ArrowRight" || e.key === "ArrowLeft") {
          select(ts[(i + (e.key === "ArrowRight" ? 1 : ts.length - 1)) % ts.length], true);
        }
      });
    });
    var cur = ts.filter(function (t) { return t.getAttribute("aria-selected") === "true"; })[0] || ts[0];
    select(cur);
    HD.showReply = function () {
      var r = doc.getElementById("tab-reply");
      if (r) select(r);
      var ta = $("#reply-body") || $("#note-body");
      if (ta) ta.focus();
    };
  }

  // ---- live updates over Server-Sent Events ----
  function live() {
    var el = $("[data-live]");
    if (!el || !window.EventSource) return;
    var dot = $("#live-dot"), state = $("#live-state");
    var es = new EventSource(el.dataset.live);
    es.onopen = function () { if (dot) dot.classList.add("on"); if (state) state.textContent = tr("实时更新", "live"); };
    es.onerror = function () { if (dot) dot.classList.remove("on"); if (state) state.textContent = tr("重新连接…", "reconnecting…"); };
    var seen = {}, pending = null;
    var later = function (fn) { clearTimeout(pending); pending = setTimeout(fn, 150); };
    es.addEventListener("change", function (m) {
      var ev = JSON.parse(m.data);
      if (seen[ev.id]) return; // resumed streams may repeat
      seen[ev.id] = true;
      if (HD.onChange) HD.onChange(ev, later);
    });
    es.addEventListener("presence", function (m) { if (HD.onPresence) HD.onPresence(JSON.parse(m.data)); });
    window.addEventListener("pagehide", function () { es.close(); });
  }

  function refresh(id) {
    var el = doc.getElementById(id);
    if (!el || !el.dataset.refresh) return Promise.resolve(null);
    return getHTML(el.dataset.refresh).then(function (h) { return swap(el, h); });
  }

  // Ticket page: new messages appear; a writer is told of replies that
  // arrived while they typed.
  function ticketPage() {
    var conv = $("#conversation");
    if (!conv) return;
    var drafting = function () { return $$(".composer textarea").some(function (t) { return t.value.trim() !== ""; }); };
    HD.onChange = function (ev, later) {
      if (["message", "note", "attachment"].indexOf(ev.kind) < 0 && !ev.mine) {
        if (!drafting()) { later(function () { location.reload(); }); return; }
      }
      later(function () {
        var before = +(($("#conversation") || {}).dataset || {}).lastSeen || 0;
        refresh("conversation").then(function (c) {
          if (!c) return;
          var fresh = $$(".msg[data-id]", c).filter(function (m) { return +m.dataset.id > before; });
          fresh.forEach(function (m) { m.classList.add("fresh"); });
          var others = fresh.filter(function () { return !ev.mine; });
          if (others.length && drafting()) {
            var who = $(".who", others[others.length - 1]).textContent;
            $$("[data-newer-warning]").forEach(function (w) {
              w.textContent = fill(tr("{name} 刚刚发了新消息，发送前请先查看。", "{name} just posted a new message; read it before you send."), { name: who });
              w.hidden = false;
            });
          }
          $$("[data-last-seen]").forEach(function (i) { i.value = c.dataset.lastSeen; });
        });
        refresh("ticket-side");
      });
    };
    setInterval(function () { refresh("ticket-side"); }, 60000); // SLA clocks count down
    var pres = $("#presence");
    HD.onPresence = function (list) {
      if (!pres) return;
      pres.innerHTML = "";
      list.forEach(function (v) {
        var s = doc.createElement("span");
        s.className = "pill";
        s.textContent = v.typing ? fill(tr("{name} 正在输入…", "{name} is typing…"), v) : fill(tr("{name} 也在查看此工单", "{name} is also viewing this ticket"), v);
        pres.appendChild(s);
      });
    };
    var liveEl = $("[data-presence]");
    if (liveEl) {
      var url = liveEl.dataset.presence, lastKey = 0, sentTyping = null;
      var beat = function () {
        var typing = Date.now() - lastKey < 6000 ? "1" : "0";
        sentTyping = typing;
        var fd = new FormData();
        fd.append("typing", typing);
        post(url, fd).catch(function () { /* next beat */ });
      };
      $$(".composer textarea").forEach(function (t) {
        t.addEventListener("input", function () { lastKey = Date.now(); if (sentTyping !== "1") beat(); });
      });
      beat();
      setInterval(beat, 10000);
      window.addEventListener("pagehide", function () {
        var fd = new FormData();
        fd.append("csrf", csrf());
        fd.append("leave", "1");
        navigator.sendBeacon(url, fd);
      });
    }
    doc.addEventListener("keydown", function (e) {
      if (typingIn(e) || e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === "r") { e.preventDefault(); if (HD.showReply) HD.showReply(); else { var t = $("#reply-body"); if (t) t.focus(); } }
      if (e.key === "c") { var b = $("[data-key=claim]"); if (b) { e.preventDefault(); b.click(); } }
    });
  }

  // Lists: the portal's and the workspace's queues refresh live.
  function lists() {
    var portal = $("#ticket-list"), queue = $("#queue");
    if (!portal && !queue) return;
    var counts = $("#queues");
    HD.onChange = function (ev, later) {
      later(function () {
        if (portal) refresh("ticket-list");
        if (queue) {
          var sel = $("tr.sel");
          var num = sel && sel.dataset.number;
          refresh("queue").then(function () { rows(); if (num) pick(rows().findIndex(function (r) { return r.dataset.number === num; })); });
        }
        if (counts) {
          fetch(counts.dataset.counts, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (m) {
            Object.keys(m).forEach(function (k) { var c = $('[data-count="' + k + '"]'); if (c) c.textContent = m[k]; });
          }).catch(function () { /* next change */ });
        }
      });
    };
    if (!queue) return;
    // Keyboard: j/k move, Enter opens, c claims, ? help.
    var rows = function () { return $$("#queue tr[data-number]"); };
    var at = -1;
    var pick = function (i) {
      var rs = rows();
      if (!rs.length) return;
      at = Math.max(0, Math.min(rs.length - 1, i));
      rs.forEach(function (r, j) { r.classList.toggle("sel", j === at); });
      var a = $("[data-open]", rs[at]);
      if (a) a.focus();
    };
    var help = $("#help");
    var showHelp = function (on) { help.hidden = !on; if (on) $("[data-close]", help).focus(); };
    $$("[data-help]").forEach(function (b) { b.addEventListener("click", function () { showHelp(true); }); });
    $("[data-close]", help).addEventListener("click", function () { showHelp(false); });
    doc.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && !help.hidden) { showHelp(false); return; }
      if (typingIn(e) || e.ctrlKey || e.metaKey || e.altKey) return;
      var rs = rows();
      if (e.key === "j") { e.preventDefault(); pick(at + 1); }
      else if (e.key === "k") { e.preventDefault(); pick(at - 1); }
      else if (e.key === "?") { e.preventDefault(); showHelp(help.hidden); }
      else if (e.key === "c" && rs[at]) { var b = $("[data-claim]", rs[at]); if (b) { e.preventDefault(); b.click(); } }
      else if (e.key === "r" && rs[at]) { e.preventDefault(); location.href = $("[data-open]", rs[at]).href + "#composer"; }
    });
  }

  // The stream opens after the load event: an EventSource opened earlier
  // keeps the page "loading" for as long as it is connected.
  var startLive = function () { setTimeout(live, 0); };
  var start = function () {
    newTicket(); deflect(); attachForms(); tabs(); ticketPage(); lists();
    if (doc.readyState === "complete") startLive(); else window.addEventListener("load", startLive);
  };
  if (doc.readyState !== "loading") start(); else doc.addEventListener("DOMContentLoaded", start);
})();
