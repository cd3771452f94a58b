// Leadgate pages: HTMX settings, dialogs, focus after swaps, the pipeline board and the chart.
(function () {
  "use strict";

  function csrfToken() {
    var raw = document.body.getAttribute("hx-headers");
    try { return raw ? JSON.parse(raw)["X-CSRF-Token"] : ""; } catch (e) { return ""; }
  }

  function focusFirst(root) {
    var target = root.querySelector("[aria-invalid=true], [role=alert] , [autofocus]") ||
      root.querySelector("h2[tabindex], input:not([type=hidden]), select, textarea, button");
    if (target) {
      if (!target.matches("input, select, textarea, button, a") && !target.hasAttribute("tabindex")) {
        target.setAttribute("tabindex", "-1");
      }
      target.focus();
    }
  }

  if (window.htmx) { configure(); } else { document.addEventListener("DOMContentLoaded", configure); }
  function configure() {
    if (!window.htmx) { return; }
    // Field errors (422), refusals (409) and stale edits (412) come back as HTML to show.
    window.htmx.config.responseHandling = [
      { code: "204", swap: false },
      { code: "[23]..", swap: true },
      { code: "4..", swap: true, error: false },
      { code: "5..", swap: true, error: true }
    ];
  }

  // Closing a dialog (Esc, Cancel) gives focus back to the button that opened it.
  var opener = null;
  document.addEventListener("DOMContentLoaded", function () {
    // A form sent back with errors: start at the first field to fix.
    var invalid = document.querySelector("main [aria-invalid=true]");
    if (invalid) { invalid.focus(); }
    var dialog = document.getElementById("dialog");
    dialog.addEventListener("close", function () {
      if (opener && document.body.contains(opener)) { opener.focus(); }
      opener = null;
    });
  });

  document.addEventListener("htmx:afterSettle", function (evt) {
    var target = evt.detail.target;
    if (!target) { return; }
    var dialog = document.getElementById("dialog");
    if (target.id === "dialog-body") {
      if (!dialog.open) {
        opener = evt.detail.requestConfig ? evt.detail.requestConfig.elt : null;
        dialog.showModal();
      }
      focusFirst(target);
    } else if (target.id === "timeline") {
      focusFirst(target.querySelector(".quick-add") || target);
    } else if (target.id === "alerts") {
      if (dialog.open && !dialog.contains(document.activeElement)) { dialog.close(); }
    } else if (!document.activeElement || document.activeElement === document.body) {
      // The focused link was replaced: keep keyboard users in the region they were in.
      if (!target.hasAttribute("tabindex")) { target.setAttribute("tabindex", "-1"); }
      target.focus();
    }
  });

  document.addEventListener("click", function (evt) {
    var closer = evt.target.closest("[data-close-dialog]");
    if (closer) { document.getElementById("dialog").close(); }
    var toggle = evt.target.closest(".menu-toggle");
    if (toggle) {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      document.getElementById("nav").classList.toggle("open", open);
    }
  });

  // Escape or a click elsewhere closes the global search's results.
  document.addEventListener("keydown", function (evt) {
    if (evt.key === "Escape" && evt.target.id === "global-search") {
      document.getElementById("search-results").innerHTML = "";
    }
  });
  document.addEventListener("click", function (evt) {
    var results = document.getElementById("search-results");
    if (results && !evt.target.closest(".search")) { results.innerHTML = ""; }
  });

  document.addEventListener("submit", function (evt) {
    var message = evt.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) { evt.preventDefault(); }
  });

  // ---- pipeline board
  function say(text, ok) {
    var box = document.getElementById("kanban-status");
    box.hidden = false;
    box.className = "alert " + (ok ? "alert-success" : "alert-error");
    box.textContent = text;
  }

  function recount() {
    document.querySelectorAll(".kanban-col").forEach(function (col) {
      col.querySelector(".count").textContent = col.querySelectorAll(".kcard").length;
    });
  }

  function move(card, from, to, oldIndex) {
    var body = new FormData();
    body.append("to", to.dataset.column);
    body.append("version", card.dataset.version);
    card.classList.add("busy");
    return fetch("/opportunities/" + card.dataset.id + "/move", {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRF-Token": csrfToken() }
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      card.classList.remove("busy");
      if (result.ok && result.data.ok) {
        card.dataset.version = result.data.version;
        if (card.parentNode !== to) { to.appendChild(card); }
        say(result.data.message, true);
      } else {
        // Refused: the card goes back where it was, with the reason.
        from.insertBefore(card, from.children[oldIndex] || null);
        say(result.data.message || "That move is not allowed.", false);
      }
      recount();
      card.dataset.column = card.parentNode.dataset.column;
    }).catch(function () {
      card.classList.remove("busy");
      from.insertBefore(card, from.children[oldIndex] || null);
      recount();
      say("The move could not be saved; check your connection.", false);
    });
  }

  function startBoard() {
    var lists = document.querySelectorAll(".cards-list");
    if (!lists.length) { return; }
    lists.forEach(function (list) {
      if (window.Sortable) {
        window.Sortable.create(list, {
          group: "pipeline", animation: 120, forceFallback: true, filter: "select",
          preventOnFilter: false,
          onEnd: function (evt) {
            if (evt.from !== evt.to) { move(evt.item, evt.from, evt.to, evt.oldIndex); }
          }
        });
      }
    });
    document.querySelectorAll(".move-to").forEach(function (select) {
      select.addEventListener("change", function () {
        if (!select.value) { return; }
        var card = select.closest(".kcard");
        var from = card.parentNode;
        var to = document.querySelector('.cards-list[data-column="' + select.value + '"]');
        var oldIndex = Array.prototype.indexOf.call(from.children, card);
        select.value = "";
        to.appendChild(card);
        move(card, from, to, oldIndex).then(function () { select.focus(); });
      });
    });
  }

  function startChart() {
    var canvas = document.getElementById("pipeline-chart");
    var data = document.getElementById("pipeline-data");
    if (!canvas || !data || !window.Chart) { return; }
    var chart = JSON.parse(data.textContent);
    chart.datasets.forEach(function (ds) { ds.data = ds.data.map(Number); });
    new window.Chart(canvas, {
      type: "bar",
      data: chart,
      options: {
        responsive: true, aspectRatio: 3, animation: false,
        datasets: { bar: { maxBarThickness: 48 } },
        plugins: { legend: { display: chart.datasets.length > 1 } }
      }
    });
  }

  window.addEventListener("load", function () { startBoard(); startChart(); });
})();
