// Case pages: insert a saved opinion (常用意见) into the opinion box in one click, and
// show the "return to" choice only when the decision is to return. Kept out of inline
// scripts: the CSP allows only our own files.
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-opinion-insert]");
    if (!button) {
      return;
    }
    event.preventDefault();
    var target = document.getElementById(button.getAttribute("data-target"));
    if (!target) {
      return;
    }
    var text = button.getAttribute("data-opinion-insert");
    var value = target.value;
    target.value = value && !/\s$/.test(value) ? value + "\n" + text : value + text;
    target.focus();
    target.dispatchEvent(new Event("input", { bubbles: true }));
  });

  function syncReturn(select) {
    var group = document.querySelector("[data-return-group]");
    if (group) {
      group.hidden = select.value !== "return";
    }
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-decision]")) {
      syncReturn(event.target);
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var select = document.querySelector("[data-decision]");
    if (select) {
      syncReturn(select);
    }
  });
})();
