// Dashboard cards refresh on the desk's live feed and every 15 s (presence
// changes without ticket events); an export's progress bar updates until
// its link appears. Without script the pages work: reload.
"use strict";
(function () {
  var doc = document, HD = window.HD || (window.HD = {});
  var get = function (url) {
    return fetch(url, { credentials: "same-origin", cache: "no-store" }).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.text();
    });
  };
  var swap = function (el, html) {
    var t = doc.createElement("template");
    t.innerHTML = html.trim();
    var n = t.content.firstElementChild;
    if (n) el.replaceWith(n);
    return n;
  };
  var dash = doc.getElementById("dash");
  if (dash) {
    var busy = false;
    var reload = function () {
      var cards = doc.getElementById("dash-cards");
      if (busy || !cards || doc.hidden) return;
      busy = true;
      var was = {};
      cards.querySelectorAll("[data-kpi]").forEach(function (k) { was[k.dataset.kpi] = k.textContent; });
      get(dash.dataset.refresh).then(function (h) {
        var n = swap(cards, h);
        // A figure that moved glows for a moment.
        if (n) n.querySelectorAll("[data-kpi]").forEach(function (k) { if (was[k.dataset.kpi] !== k.textContent) k.classList.add("fresh"); });
      })
        .catch(function () { /* next round */ }).then(function () { busy = false; });
    };
    HD.onChange = function (ev, later) { later(reload); };
    setInterval(reload, +dash.dataset.every || 15000);
    doc.addEventListener("visibilitychange", reload);
  }
  var poll = function () {
    var el = doc.getElementById("export-progress");
    if (!el || el.hasAttribute("data-done")) return;
    setTimeout(function () {
      get(el.dataset.poll).then(function (h) { swap(el, h); }).catch(function () { /* try again */ }).then(poll);
    }, 800);
  };
  poll();
})();
