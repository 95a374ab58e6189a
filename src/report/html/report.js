// hf-scan's HTML report: sorting and filtering the findings table. Everything it needs is in
// the page; it makes no request. The rows are rendered by hf-scan, so the report reads the
// same without JavaScript.
(function () {
  "use strict";
  var table = document.getElementById("findings-table");
  if (!table) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var text = document.getElementById("filter");
  var severity = document.getElementById("severity-filter");
  var status = document.getElementById("status-filter");
  var shown = document.getElementById("shown");
  var haystacks = rows.map(function (row) { return row.textContent.toLowerCase(); });

  function apply() {
    var query = text.value.trim().toLowerCase();
    var visible = 0;
    rows.forEach(function (row, index) {
      var keep = (!query || haystacks[index].indexOf(query) !== -1) &&
        (!severity.value || row.getAttribute("data-severity") === severity.value) &&
        (!status.value || row.getAttribute("data-status") === status.value);
      row.hidden = !keep;
      if (keep) { visible += 1; }
    });
    shown.textContent = "Showing " + visible + " of " + rows.length;
  }

  [text, severity, status].forEach(function (control) {
    control.addEventListener("input", apply);
    control.addEventListener("change", apply);
  });

  function key(row, column) {
    var cell = row.cells[column];
    var sortKey = cell.getAttribute("data-sort");
    return sortKey !== null ? sortKey : cell.textContent.trim().toLowerCase();
  }

  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
  headers.forEach(function (header, column) {
    header.addEventListener("click", function () {
      var descending = header.getAttribute("aria-sort") === "ascending";
      var numeric = header.getAttribute("data-type") === "number";
      headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
      header.setAttribute("aria-sort", descending ? "descending" : "ascending");
      var order = rows.map(function (row, index) { return [key(row, column), index, row]; });
      order.sort(function (a, b) {
        var x = numeric ? Number(a[0]) : a[0];
        var y = numeric ? Number(b[0]) : b[0];
        var by = x < y ? -1 : x > y ? 1 : 0;
        return (descending ? -by : by) || a[1] - b[1];
      });
      order.forEach(function (entry) { body.appendChild(entry[2]); });
    });
  });

  // A row of the summary counts filters the table by what it counts.
  Array.prototype.slice.call(document.querySelectorAll("tr[data-filter]")).forEach(function (row) {
    row.addEventListener("click", function () {
      var filter = row.getAttribute("data-filter");
      var at = filter.indexOf("=");
      var what = filter.slice(0, at);
      var value = filter.slice(at + 1);
      var control = what === "severity" ? severity : what === "status" ? status : text;
      control.value = control.value === value ? "" : value;
      apply();
      table.scrollIntoView();
    });
  });

  apply();
})();
