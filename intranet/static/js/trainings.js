// Training agenda: "Share to WhatsApp" copies the invitation and, on phones, opens the
// share sheet. Without this script the text stays readable (and copyable) on the page.
(function () {
  "use strict";

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(area);
      if (ok) { resolve(); } else { reject(new Error("copy failed")); }
    });
  }

  function setUp(root) {
    root.querySelectorAll("button[data-share-target]").forEach(function (button) {
      if (button.dataset.ready) return;
      button.dataset.ready = "1";
      button.hidden = false;
      button.addEventListener("click", function () {
        var source = document.getElementById(button.dataset.shareTarget);
        var status = button.parentElement.querySelector(".share-status");
        if (!source) return;
        var text = source.value;
        var phone = window.matchMedia("(pointer: coarse)").matches;
        copy(text).then(function () {
          if (status) status.textContent = button.dataset.copied;
        }, function () {
          var details = source.closest("details");
          if (details) details.open = true;
          source.select();
        });
        if (phone && navigator.share) {
          navigator.share({ title: button.dataset.title, text: text }).catch(function () {});
        }
      });
    });
  }

  setUp(document);
  document.addEventListener("htmx:load", function (event) { setUp(event.target); });
})();
