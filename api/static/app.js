// budgetkg: small progressive enhancements; every page works without this script.
(function () {
  "use strict";
  // The SPARQL editor has its own script (static/editor.js, loaded by the /sparql page).
  // List pages: filter rows as you type.
  document.querySelectorAll("input.filter").forEach(function (input) {
    var table = document.querySelector(input.getAttribute("data-filter"));
    if (!table) return;
    input.addEventListener("input", function () {
      var needle = input.value.trim().toLowerCase();
      table.querySelectorAll("tbody tr").forEach(function (tr) {
        tr.style.display = !needle || tr.textContent.toLowerCase().indexOf(needle) >= 0 ? "" : "none";
      });
    });
  });
})();
