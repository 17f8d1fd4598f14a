// Kantor Bersama: the little script htmx does not cover. No inline scripts (CSP).
(function () {
  "use strict";

  document.documentElement.classList.add("js");

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

  // Calendar: a click in a free stretch books the time under the pointer (an hour, or
  // less where the stretch ends); without script the link books the stretch's start.
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function hhmm(minutes) { return pad(Math.floor(minutes / 60)) + ":" + pad(minutes % 60); }
  document.addEventListener("pointerdown", function (event) {
    var slot = event.target.closest && event.target.closest("a.cal-slot[data-start]");
    if (!slot || getComputedStyle(slot.parentElement).display !== "grid") return;
    var first = Number(slot.dataset.start), last = Number(slot.dataset.end);
    var box = slot.getBoundingClientRect();
    if (!box.height || last <= first) return;
    var rows = (last - first) / 15;
    var row = Math.min(rows - 1, Math.max(0, Math.floor((event.clientY - box.top) / (box.height / rows))));
    var start = first + row * 15;
    var end = Math.min(start + 60, last);
    var url = new URL(slot.href, window.location.href);
    url.searchParams.set("start", hhmm(start));
    url.searchParams.set("end", hhmm(end));
    slot.href = url.pathname + url.search;
  });
  // Navigation counts (unread announcements, approvals): ask again about every minute,
  // but not while the tab is hidden; at once when it shows again after a while.
  var BADGE_EVERY = 60000;
  var lastBadgeRefresh = Date.now();
  // One request per count however often the layout shows it (nav, menus), swapped into
  // every copy.
  function refreshBadges() {
    if (document.hidden || !window.htmx || !window.fetch) return;
    var byUrl = {};
    document.querySelectorAll(".badge-slot[hx-get]").forEach(function (slot) {
      var url = slot.getAttribute("hx-get");
      (byUrl[url] = byUrl[url] || []).push(slot);
    });
    lastBadgeRefresh = Date.now();
    Object.keys(byUrl).forEach(function (url) {
      fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (html === null) return;
          byUrl[url].forEach(function (slot) {
            if (slot.isConnected) window.htmx.swap(slot, html, { swapStyle: "outerHTML" });
          });
        })
        .catch(function () { /* offline for a moment: the next round tries again */ });
    });
  }
  setInterval(function () {
    if (Date.now() - lastBadgeRefresh >= BADGE_EVERY - 1000) refreshBadges();
  }, BADGE_EVERY);
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && Date.now() - lastBadgeRefresh >= BADGE_EVERY) refreshBadges();
  });

  // Announcements: copy the WhatsApp text, the phone's share sheet, printing.
  function wireShareButtons(root) {
    root.querySelectorAll("[data-copy]").forEach(function (button) {
      if (navigator.clipboard) button.hidden = false;
    });
    root.querySelectorAll("[data-share]").forEach(function (button) {
      if (navigator.share) button.hidden = false;
    });
    root.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
    });
  }
  document.addEventListener("DOMContentLoaded", function () { wireShareButtons(document); });
  document.addEventListener("htmx:afterSettle", function (event) { wireShareButtons(event.target); });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy], [data-share], [data-print]");
    if (!button) return;
    if (button.hasAttribute("data-print")) { window.print(); return; }
    var source = document.querySelector(button.getAttribute("data-copy") || button.getAttribute("data-share"));
    if (!source) return;
    var text = source.value;
    var status = document.querySelector("[data-share-status]");
    if (button.hasAttribute("data-copy")) {
      navigator.clipboard.writeText(text).then(function () {
        if (status) status.textContent = button.getAttribute("data-copied");
      }, function () { source.select(); });
    } else {
      navigator.share({ title: button.getAttribute("data-share-title") || "", text: text })
        .catch(function () { /* the user closed the share sheet */ });
    }
  });
})();
