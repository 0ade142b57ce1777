// Small behaviours kept out of inline scripts (the CSP forbids those without a nonce).
document.addEventListener("change", function (event) {
  if (event.target.matches("[data-autosubmit]")) {
    event.target.form.submit();
  }
});
