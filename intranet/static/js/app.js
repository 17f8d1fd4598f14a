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

  // Booking form: show the repeat fields the chosen frequency needs (without script all
  // show, grouped), and keep the preview's totals true while dates are ticked.
  function showRepeatFields(select) {
    var form = select.form;
    if (!form) return;
    form.querySelectorAll("[data-repeat]").forEach(function (el) {
      el.hidden = el.dataset.repeat.split(" ").indexOf(select.value) < 0;
    });
  }
  function countSkipped(section) {
    var boxes = section.querySelectorAll("input[name=skip]");
    var skipped = 0;
    boxes.forEach(function (box) { if (box.checked) skipped += 1; });
    var book = section.querySelector("[data-count=book]");
    var skip = section.querySelector("[data-count=skip]");
    if (book) book.textContent = String(boxes.length - skipped);
    if (skip) skip.textContent = String(skipped);
  }
  function initForms(root) {
    if (!root || !root.querySelectorAll) return;
    root.querySelectorAll("select[data-repeat-choice]").forEach(showRepeatFields);
  }
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!target.matches) return;
    if (target.matches("select[data-repeat-choice]")) showRepeatFields(target);
    if (target.matches("[data-preview] input[name=skip]")) countSkipped(target.closest("[data-preview]"));
  });
  document.addEventListener("htmx:load", function (event) { initForms(event.detail.elt); });
  initForms(document);

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
  // Copy buttons: data-copy="#id" copies that field's value (or element's text). The
  // clipboard API needs HTTPS, which an office LAN rarely has: select and copy instead.
  document.querySelectorAll("[data-copy]").forEach(function (b) { b.hidden = false; });
  document.addEventListener("htmx:load", function (event) {
    event.target.querySelectorAll("[data-copy]").forEach(function (b) { b.hidden = false; });
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy]");
    if (!button) return;
    var source = document.querySelector(button.dataset.copy);
    if (!source) return;
    var text = "value" in source ? source.value : source.textContent;
    var done = function () {
      var label = button.textContent;
      button.textContent = button.dataset.copied || "✓";
      setTimeout(function () { button.textContent = label; }, 2000);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done);
      return;
    }
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    try { if (document.execCommand("copy")) done(); } finally { area.remove(); }
  });

  // Navigation counts (unread announcements, approvals): ask again about every minute,
  // but not while the tab is hidden; at once when it shows again after a while. One
  // request per count however often the layout shows it (nav, menus), swapped into
  // every copy.
  var BADGE_EVERY = 60000;
  var lastBadgeRefresh = Date.now();
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

  // Announcements: the phone's share sheet and printing (copying is above).
  function wireShareButtons(root) {
    root.querySelectorAll("[data-share]").forEach(function (button) {
      if (navigator.share) button.hidden = false;
    });
    root.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
    });
  }
  wireShareButtons(document);
  document.addEventListener("htmx:load", function (event) { wireShareButtons(event.target); });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-share], [data-print]");
    if (!button) return;
    if (button.hasAttribute("data-print")) { window.print(); return; }
    var source = document.querySelector(button.getAttribute("data-share"));
    if (!source) return;
    navigator.share({ title: button.getAttribute("data-share-title") || "", text: source.value })
      .catch(function () { /* the user closed the share sheet */ });
  });
})();
