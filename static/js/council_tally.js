// A council meeting's ballot forms: while the tally is typed, show whether it reaches the pass
// mark, with the arithmetic the server will apply. The (translated) sentences come from the
// data-text-* attributes of the element #tallyTexts.
(function () {
  const source = document.getElementById("tallyTexts");
  if (!source) { return; }
  const texts = {
    pass: source.dataset.textPass,
    fail: source.dataset.textFail,
    majorityPass: source.dataset.textMajorityPass,
    majorityFail: source.dataset.textMajorityFail
  };
  const lang = document.documentElement.lang || "vi";
  function number(value) { return Number(value).toLocaleString(lang, {maximumFractionDigits: 1}); }
  function field(form, name) {
    const input = form.querySelector("[name$='-" + name + "']");
    const value = input ? parseInt(input.value, 10) : 0;
    return isNaN(value) || value < 0 ? 0 : value;
  }
  function update(form) {
    const total = parseInt(form.dataset.total, 10), mark = parseFloat(form.dataset.mark) || 0;
    const output = form.querySelector(".tally-live");
    if (!total) { output.textContent = ""; return; }
    const favour = field(form, "in_favour") + field(form, "written_in_favour");
    const passes = mark ? favour * 100 >= mark * total : favour * 2 > total;
    const text = mark ? (passes ? texts.pass : texts.fail) : (passes ? texts.majorityPass : texts.majorityFail);
    output.textContent = text.replace("{favour}", favour).replace("{total}", total)
      .replace("{percent}", number(favour * 100 / total)).replace("{mark}", number(mark));
    output.className = "d-block small mt-1 tally-live fw-semibold " + (passes ? "text-success" : "text-danger");
  }
  document.querySelectorAll("form.tally-form").forEach(function (form) {
    form.addEventListener("input", function () { update(form); });
    update(form);
  });
})();
