// Bordermark pages work without JavaScript; this file only adds confirmations and focus on errors.
"use strict";
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm) {
    if (!window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  }
});
document.addEventListener("DOMContentLoaded", function () {
  var alert = document.querySelector(".flash.bad");
  if (alert) {
    alert.setAttribute("tabindex", "-1");
    alert.focus();
  }
  document.querySelectorAll("[data-countdown]").forEach(function (el) {
    var due = Date.parse(el.getAttribute("data-countdown"));
    if (!isNaN(due) && due < Date.now()) {
      el.classList.add("overdue");
    }
  });
});
