// A scheme line's form: show only the fields the chosen kind uses (the server clears the others
// on save), and the condition only when the gate is a condition.
(function () {
  const kind = document.getElementById("id_kind");
  if (!kind) { return; }
  const gate = document.getElementById("id_gate_kind");
  function refresh() {
    document.querySelectorAll("#nodeForm [data-kinds]").forEach(function (element) {
      const wrap = element.classList.contains("field-wrap") ? element : element.closest(".field-wrap");
      if (wrap) { wrap.hidden = !element.dataset.kinds.split(" ").includes(kind.value); }
    });
    const condition = document.getElementById("conditionWrap");
    if (condition && gate) { condition.hidden = condition.hidden || gate.value !== "condition"; }
  }
  kind.addEventListener("change", refresh);
  if (gate) { gate.addEventListener("change", refresh); }
  refresh();
})();
