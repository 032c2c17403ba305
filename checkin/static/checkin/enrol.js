// Keep the device secret handed over at enrolment on this phone (shown once, never again).
(function () {
  "use strict";
  var node = document.getElementById("enrolled");
  if (!node || !node.dataset.secret) return;
  try {
    window.localStorage.setItem("ptce.device." + node.dataset.event, node.dataset.secret);
    node.removeAttribute("data-secret");
  } catch (error) {
    node.insertAdjacentText("beforeend", " (stockage local indisponible : activez-le et recommencez)");
  }
})();
