// Buttons marked data-print open the browser's print dialog (the minutes of a council meeting).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
