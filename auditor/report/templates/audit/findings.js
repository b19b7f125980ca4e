// Sort the findings table by a column (click its header) and filter its rows by text; a link
// ending in #filter=WORDS opens the report filtered.
// Inline and allowed by its hash in the Content-Security-Policy: nothing is fetched.
(function () {
  var table = document.getElementById("all-findings");
  var filter = document.getElementById("findings-filter");
  var count = document.getElementById("findings-count");
  if (!table || !filter) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  function show() {
    var words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    rows.forEach(function (row) {
      var text = row.textContent.toLowerCase();
      var keep = words.every(function (word) { return text.indexOf(word) >= 0; });
      row.hidden = !keep;
      if (keep) { shown += 1; }
    });
    count.textContent = shown + " of " + rows.length + " shown";
  }
  function sortBy(header, index) {
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell) { cell.removeAttribute("aria-sort"); });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    rows.sort(function (a, b) {
      var x = a.cells[index].getAttribute("data-key") || a.cells[index].textContent;
      var y = b.cells[index].getAttribute("data-key") || b.cells[index].textContent;
      var order = x.localeCompare(y, undefined, { numeric: true });
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (header, index) {
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = header.textContent;
    button.addEventListener("click", function () { sortBy(header, index); });
    header.textContent = "";
    header.appendChild(button);
  });
  var linked = /^#filter=(.*)$/.exec(window.location.hash);
  if (linked) { filter.value = decodeURIComponent(linked[1]); }
  filter.addEventListener("input", show);
  filter.hidden = false;
  show();
})();
