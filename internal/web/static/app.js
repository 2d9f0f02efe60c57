// Helpdesk web desk: progressive enhancement only. Every form works
// without this file; it adds live updates, uploads with progress,
// keyboard shortcuts and presence.
"use strict";
(function () {
  var $ = function (s, el) { return (el || document).querySelector(s); };
  var $$ = function (s, el) { return Array.prototype.slice.call((el || document).querySelectorAll(s)); };
  var csrf = function () { var m = $('meta[name="csrf-token"]'); return m ? m.content : ""; };
  window.HD = { $: $, $$: $$, csrf: csrf };

  // The server formats times in the browser's zone once it knows it.
  try {
    var tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (tz && document.cookie.indexOf("helpdesk_tz=" + encodeURIComponent(tz)) < 0) {
      document.cookie = "helpdesk_tz=" + encodeURIComponent(tz) + "; path=/; max-age=31536000; samesite=lax";
    }
  } catch (e) { /* old browser: the site zone is used */ }

  // post sends a form-encoded or FormData body with the CSRF token.
  HD.post = function (url, body) {
    return fetch(url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRF-Token": csrf(), "Accept": "application/json" }
    });
  };
  HD.fetchHTML = function (url) {
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } }).then(function (r) {
      if (!r.ok) throw new Error(r.status);
      return r.text();
    });
  };
  var ready = function (fn) { if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn); };
  HD.ready = ready;
  HD.modules = [];
  ready(function () { HD.modules.forEach(function (m) { m(); }); });
})();
