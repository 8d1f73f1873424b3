// Live case updates for the staff pages. The server sends "caseChanged" over SignalR (/hubs/cases) for every case in the
// viewer's area: a new report, an action, a photo, an SLA escalation. Queue, board and supervision re-fetch their list
// through htmx (several changes at once make one request); the case page re-fetches its own parts when that case changed.
(function () {
  "use strict";
  var root = document.querySelector("[data-case-live]");
  if (!root || !window.signalR || !window.linliLive) return;
  var mode = root.getAttribute("data-case-live");
  var status = document.getElementById("case-live-status");
  var live = window.linliLive;
  var say = live.statusLine(status);
  var debounced = live.debounced;

  function ids() {
    var set = {};
    document.querySelectorAll("#case-queue [data-case-id]").forEach(function (el) { set[el.getAttribute("data-case-id")] = true; });
    return set;
  }

  function refreshList() {
    if (!window.htmx) return;
    var before = ids();
    return htmx.ajax("GET", window.location.pathname + window.location.search,
      { target: "#case-queue", select: "#case-queue", swap: "outerHTML" }).then(function () {
      var fresh = 0;
      document.querySelectorAll("#case-queue [data-case-id]").forEach(function (el) {
        if (!before[el.getAttribute("data-case-id")]) { el.classList.add("fresh"); fresh++; }
      });
      if (fresh > 0) say((root.getAttribute("data-new-text") || "{0} new").replace("{0}", String(fresh)));
    });
  }

  // True while the person is filling in an action: their text must not be swapped away under them.
  function editing(actions) {
    if (!actions) return false;
    if (actions.contains(document.activeElement) && document.activeElement.matches("textarea, input, select")) return true;
    return Array.prototype.some.call(actions.querySelectorAll("textarea, input[type=file], select"), function (el) {
      if (el.tagName === "TEXTAREA") return el.value.trim() !== "";
      if (el.type === "file") return el.files && el.files.length > 0;
      return el.selectedIndex > 0 && !el.options[el.selectedIndex].defaultSelected;
    });
  }

  function refreshCase() {
    return fetch(window.location.pathname, { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var next = new DOMParser().parseFromString(html, "text/html");
        var facts = document.getElementById("case-facts");
        var nextFacts = next.getElementById("case-facts");
        if (!nextFacts) { say(root.getAttribute("data-changed-text")); return; }
        if (facts && facts.getAttribute("data-version") === nextFacts.getAttribute("data-version")) return;
        ["case-facts", "case-timeline"].forEach(function (id) {
          var el = document.getElementById(id), replacement = next.getElementById(id);
          if (el && replacement) el.replaceWith(document.importNode(replacement, true));
        });
        var actions = document.getElementById("case-actions");
        var nextActions = next.getElementById("case-actions");
        if (actions && nextActions) {
          if (editing(actions)) {
            showStale(actions);
          } else {
            actions.replaceWith(document.importNode(nextActions, true));
          }
        }
        say(root.getAttribute("data-changed-text"));
      });
  }

  function showStale(actions) {
    if (actions.querySelector(".stale")) return;
    var p = document.createElement("p");
    p.className = "notice stale";
    p.setAttribute("role", "alert");
    p.textContent = root.getAttribute("data-stale-text") + " ";
    var a = document.createElement("a");
    a.href = window.location.pathname;
    a.textContent = root.getAttribute("data-reload-text");
    p.appendChild(a);
    actions.insertBefore(p, actions.children[1] || null);
  }

  var caseId = root.getAttribute("data-case-id");
  var refresh = debounced(mode === "case" ? refreshCase : refreshList, mode === "case" ? 300 : 500);

  live.connect("/hubs/cases", root, {
    caseChanged: function (change) {
      if (mode === "case" && String(change.caseId) !== caseId) return;
      refresh();
    },
  }, null, refresh);
})();
