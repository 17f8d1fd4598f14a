// Kantor Bersama: the little script htmx does not cover. No inline scripts (CSP).
(function () {
  "use strict";

  function showMessage(text) {
    var box = document.getElementById("messages");
    if (!box) return;
    var p = document.createElement("p");
    p.className = "flash flash-error";
    p.setAttribute("role", "alert");
    p.textContent = text;
    box.replaceChildren(p);
  }

  // The server could not be reached (Wi-Fi dropped, server restarting): say so.
  document.addEventListener("htmx:sendError", function () {
    showMessage(document.documentElement.lang === "en"
      ? "The server cannot be reached. Check the network and try again."
      : "Server tidak dapat dihubungi. Periksa jaringan lalu coba lagi.");
  });

  // Close open dropdown menus after a boosted navigation.
  document.addEventListener("htmx:afterSettle", function () {
    document.querySelectorAll("details.dropdown[open]").forEach(function (d) {
      d.removeAttribute("open");
    });
  });
})();
