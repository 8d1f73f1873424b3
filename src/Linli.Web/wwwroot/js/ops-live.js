// Live monitoring pages over SignalR (/hubs/ops). The server sends "alarm" (AlarmLive) and "device" (DeviceLive) for the
// viewer's area, and to a resident their household's alarms.
//  - view  (/ops): re-fetches the figures, the plan and the feed (several messages make one request); a new critical
//    alarm shows a banner and flashes the document title until nobody needs to acknowledge a critical alarm any more.
//  - alarm (/alarms/{id}): re-fetches the facts, actions and timeline when that alarm changed.
//  - sos   (/sos): says who has taken the resident's call as soon as someone acknowledges it.
(function () {
  "use strict";
  var root = document.querySelector("[data-ops-live]");
  if (!root || !window.signalR || !window.linliLive) return;
  var mode = root.getAttribute("data-ops-live");
  var communityId = root.getAttribute("data-community-id");
  var status = document.getElementById("ops-live-status");
  var reducedMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var live = window.linliLive;
  var say = live.statusLine(status);
  var debounced = live.debounced;

  function fetchPage() {
    return fetch(window.location.pathname + window.location.search, { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then(function (r) { return r.text(); })
      .then(function (html) { return new DOMParser().parseFromString(html, "text/html"); });
  }

  function swap(next, id) {
    var el = document.getElementById(id), replacement = next.getElementById(id);
    if (el && replacement) el.replaceWith(document.importNode(replacement, true));
  }

  // A choice half made (an assignee picked, a note typed) must not be swapped away under the person.
  function busy(container) {
    if (!container) return false;
    var active = document.activeElement;
    if (active && container.contains(active) && active.matches("select, textarea, input")) return true;
    return Array.prototype.some.call(container.querySelectorAll("textarea"), function (t) { return t.value.trim() !== ""; });
  }

  // ---- the title flash for new critical alarms (no sound: a control room may be shared, and the page may be muted)
  var baseTitle = document.title, flashTimer = 0, flashText = "";
  function startTitleFlash(text) {
    flashText = text;
    if (flashTimer) return;
    var on = false;
    if (reducedMotion) { document.title = "‼ " + flashText + " · " + baseTitle; flashTimer = -1; return; }
    flashTimer = setInterval(function () {
      on = !on;
      document.title = on ? "‼ " + flashText : baseTitle;
    }, 800);
  }
  function stopTitleFlash() {
    if (flashTimer > 0) clearInterval(flashTimer);
    flashTimer = 0;
    document.title = baseTitle;
  }

  // Called for a critical alarm that came into the feed since the last look (the feed knows severities as words;
  // the hub's messages carry them as numbers).
  function showAlert(item) {
    var box = document.getElementById("ops-alert");
    var text = root.getAttribute("data-critical-text") || "Critical alarm";
    var link = item.querySelector(".alarm-title");
    if (box && link) {
      box.textContent = "";
      var a = document.createElement("a");
      a.href = link.getAttribute("href");
      a.textContent = text + ": " + link.textContent;
      box.appendChild(a);
      box.hidden = false;
    }
    startTitleFlash(text);
  }

  function criticalWaiting() {
    var kpis = document.getElementById("ops-kpis");
    return kpis ? Number(kpis.getAttribute("data-unacknowledged-critical") || "0") : 0;
  }

  function alarmIds() {
    var set = {};
    document.querySelectorAll("#ops-feed [data-alarm-id]").forEach(function (el) { set[el.getAttribute("data-alarm-id")] = true; });
    return set;
  }

  function refreshView() {
    var before = alarmIds();
    return fetchPage().then(function (next) {
      swap(next, "ops-kpis");
      swap(next, "ops-plan");
      if (!busy(document.getElementById("ops-feed"))) swap(next, "ops-feed");
      else refresh();
      var fresh = 0;
      document.querySelectorAll("#ops-feed [data-alarm-id]").forEach(function (el) {
        if (before[el.getAttribute("data-alarm-id")]) return;
        el.classList.add("fresh");
        fresh++;
        if (el.getAttribute("data-severity") === "Critical" && el.classList.contains("needs-ack")) showAlert(el);
      });
      if (fresh > 0) say((root.getAttribute("data-new-text") || "{0} new").replace("{0}", String(fresh)));
      if (criticalWaiting() === 0) {
        stopTitleFlash();
        var box = document.getElementById("ops-alert");
        if (box) box.hidden = true;
      }
    });
  }

  function refreshAlarm() {
    return fetchPage().then(function (next) {
      var facts = document.getElementById("alarm-facts"), nextFacts = next.getElementById("alarm-facts");
      if (facts && nextFacts && facts.getAttribute("data-version") === nextFacts.getAttribute("data-version")) return;
      swap(next, "alarm-facts");
      swap(next, "alarm-timeline");
      if (!busy(document.getElementById("alarm-actions"))) swap(next, "alarm-actions");
    });
  }

  function showTaken(change) {
    var el = document.getElementById("sos-status");
    if (!el || !change.acknowledgedBy) return;
    el.textContent = (root.getAttribute("data-taken-text") || "") + " ";
    var who = document.createElement("strong");
    who.textContent = change.acknowledgedBy;
    el.appendChild(who);
    el.classList.add("taken");
  }

  var refresh = debounced(mode === "alarm" ? refreshAlarm : refreshView, 300);

  // The feed's forms are sent in the background: the operator keeps their place and the live update shows the result.
  if (mode === "view") {
    root.addEventListener("submit", function (e) {
      var form = e.target;
      if (!form.closest || !form.closest("#ops-feed") || form.method.toLowerCase() !== "post") return;
      e.preventDefault();
      var buttons = form.querySelectorAll("button");
      buttons.forEach(function (b) { b.disabled = true; });
      fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" })
        .then(function () { if (document.activeElement && form.contains(document.activeElement)) document.activeElement.blur(); return refreshView(); })
        .catch(function () { form.submit(); });
    });
  }

  live.connect("/hubs/ops", root, {
    alarm: function (change) {
      if (mode === "sos") {
        if (String(change.id) === root.getAttribute("data-alarm-id")) showTaken(change);
        return;
      }
      if (mode === "alarm") {
        if (String(change.id) === root.getAttribute("data-alarm-id")) refresh();
        return;
      }
      if (String(change.communityId) !== communityId) return;
      refresh();
    },
    device: function (change) {
      if (mode === "view" && String(change.communityId) === communityId) refresh();
    },
  }, function () {
    if (mode === "view" && criticalWaiting() > 0) startTitleFlash(root.getAttribute("data-critical-text") || "Critical alarm");
  }, function () {
    if (mode !== "sos") refresh();
  });
})();
