// budgetkg: small progressive enhancements; every page works without this script.
(function () {
  "use strict";
  // SPARQL editor: Ctrl/Cmd+Enter runs the query; an example link loads its query.
  var form = document.getElementById("sparql-form");
  var box = document.getElementById("query");
  if (form && box) {
    box.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); form.submit(); }
    });
    document.querySelectorAll("a.example").forEach(function (a) {
      a.addEventListener("click", function (e) {
        e.preventDefault();
        box.value = a.getAttribute("data-query");
        box.focus();
      });
    });
  }
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
