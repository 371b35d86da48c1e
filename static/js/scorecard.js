/* Scorecard table: fold sections, move between score cells with the keyboard, and mark the
   lines the server refused after a live save. No inline scripts: everything hangs on data-*. */
(function () {
  "use strict";

  var table = document.querySelector("[data-scorecard-table]");
  if (!table) {
    return;
  }
  var folded = new Set();

  function rows() {
    return Array.prototype.slice.call(table.querySelectorAll("tbody tr[data-node]"));
  }

  function ancestorsOf(row) {
    return (row.getAttribute("data-ancestors") || "").split(" ").filter(Boolean);
  }

  function applyFolds() {
    rows().forEach(function (row) {
      var hidden = ancestorsOf(row).some(function (id) { return folded.has(id); });
      row.classList.toggle("d-none", hidden);
    });
    table.querySelectorAll("[data-fold]").forEach(function (button) {
      var isFolded = folded.has(button.getAttribute("data-fold"));
      button.setAttribute("aria-expanded", isFolded ? "false" : "true");
      var icon = button.querySelector("i");
      if (icon) {
        icon.className = isFolded ? "bi bi-chevron-right" : "bi bi-chevron-down";
      }
    });
  }

  table.addEventListener("click", function (event) {
    var button = event.target.closest("[data-fold]");
    if (!button) {
      return;
    }
    var id = button.getAttribute("data-fold");
    if (folded.has(id)) {
      folded.delete(id);
    } else {
      folded.add(id);
    }
    applyFolds();
  });

  document.querySelectorAll("[data-fold-all]").forEach(function (button) {
    button.addEventListener("click", function () {
      rows().forEach(function (row) {
        if (row.hasAttribute("data-group") && row.getAttribute("data-depth") === "0") {
          folded.add(row.getAttribute("data-node"));
        }
      });
      applyFolds();
    });
  });

  document.querySelectorAll("[data-unfold-all]").forEach(function (button) {
    button.addEventListener("click", function () {
      folded.clear();
      applyFolds();
    });
  });

  // Enter / Shift+Enter and the up/down arrows move between score cells (skipping folded rows);
  // Enter never submits the whole form by accident. Leaving a cell fires "change", which saves.
  function visibleCells() {
    return Array.prototype.filter.call(table.querySelectorAll("[data-score-cell]"), function (cell) {
      return !cell.disabled && !cell.closest("tr").classList.contains("d-none");
    });
  }

  table.addEventListener("keydown", function (event) {
    var cell = event.target.closest("[data-score-cell]");
    if (!cell) {
      if (event.key === "Enter" && event.target.tagName === "INPUT") {
        event.preventDefault();
      }
      return;
    }
    var isSelect = cell.tagName === "SELECT";
    var step = 0;
    if (event.key === "Enter") {
      step = event.shiftKey ? -1 : 1;
    } else if (!isSelect && event.key === "ArrowDown") {
      step = 1;
    } else if (!isSelect && event.key === "ArrowUp") {
      step = -1;
    }
    if (!step) {
      return;
    }
    event.preventDefault();
    var cells = visibleCells();
    var next = cells[cells.indexOf(cell) + step];
    if (next) {
      next.focus();
      if (typeof next.select === "function" && next.tagName === "INPUT") {
        next.select();
      }
    }
  });

  // A refused or failed live save (403 once the scorecard is submitted, a lost connection) must
  // not pass silently: say so above the table; what was typed stays in the fields.
  function saveFailed() {
    var feedback = document.getElementById("scorecard-feedback");
    if (!feedback) {
      return;
    }
    var alert = document.createElement("div");
    alert.className = "alert alert-danger";
    alert.setAttribute("role", "alert");
    alert.textContent = table.getAttribute("data-save-error") || "";
    feedback.replaceChildren(alert);
  }
  document.body.addEventListener("htmx:responseError", saveFailed);
  document.body.addEventListener("htmx:sendError", saveFailed);

  // After a live save, the server swaps in each line's messages; mark its inputs accordingly.
  document.body.addEventListener("htmx:afterSettle", function () {
    table.querySelectorAll("tr[id^='line-']").forEach(function (row) {
      var feedback = row.querySelector(".scorecard-feedback");
      if (!feedback) {
        return;
      }
      var invalid = feedback.querySelector("[data-line-error]") !== null;
      row.querySelectorAll("[data-score-cell]").forEach(function (cell) {
        cell.classList.toggle("is-invalid", invalid);
      });
    });
  });
})();
