// "Add a row" buttons of formset tables (scheme rules, a line's tiers): copy the formset's empty
// form from <template id="<table>Template"> with the next index, and count it in TOTAL_FORMS.
// A button (class add-row) names its table in data-table, its formset prefix in data-prefix and,
// when it is not "<table>Template", its template in data-template.
(function () {
  document.querySelectorAll(".add-row").forEach(function (button) {
    button.addEventListener("click", function () {
      const total = document.getElementById("id_" + button.dataset.prefix + "-TOTAL_FORMS");
      const html = document.getElementById(button.dataset.template || button.dataset.table + "Template").innerHTML.replace(/__prefix__/g, total.value);
      document.querySelector("#" + button.dataset.table + " tbody").insertAdjacentHTML("beforeend", html);
      total.value = parseInt(total.value, 10) + 1;
    });
  });
})();
