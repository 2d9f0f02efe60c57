// Admin console comfort: a custom field row shows "options" only for a
// choice list and "maximum length" only for text. Without script every
// input shows and the server ignores the ones that do not apply.
(function () {
  "use strict";
  function sync(sel) {
    var row = sel.closest(".cf-row");
    if (!row) return;
    row.querySelectorAll("[data-for-type]").forEach(function (el) {
      el.hidden = el.getAttribute("data-for-type") !== sel.value;
    });
  }
  document.querySelectorAll(".cf-row select[data-field-type]").forEach(function (sel) {
    sync(sel);
    sel.addEventListener("change", function () { sync(sel); });
  });
})();
