// Small behaviours of the public portal, kept out of inline scripts (CSP).
document.addEventListener("click", function (event) {
  var trigger = event.target.closest("[data-print]");
  if (trigger) {
    event.preventDefault();
    window.print();
  }
});

// On phones the filter panel would push the results below the fold: start it closed
// (it stays a <details>, so one tap opens it; without JavaScript it stays open).
// The main menu uses the same pattern; on wide screens its toggle is hidden, so it is
// opened again if the window is widened.
(function () {
  if (!window.matchMedia) return;
  var narrow = window.matchMedia("(max-width: 991.98px)");
  if (narrow.matches) {
    document.querySelectorAll("details[data-collapse-narrow]").forEach(function (panel) {
      panel.removeAttribute("open");
    });
  }
  narrow.addEventListener("change", function (event) {
    if (event.matches) return;
    document.querySelectorAll("details[data-collapse-narrow]").forEach(function (panel) {
      panel.setAttribute("open", "");
    });
  });
})();
