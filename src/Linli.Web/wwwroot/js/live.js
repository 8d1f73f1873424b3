// What the live pages share (cases-live.js, ops-live.js): a status line that clears itself, one request for several
// messages, and a SignalR connection that keeps itself up and shows its state as data-live-state on the page's root.
(function () {
  "use strict";

  function statusLine(el) {
    var clear = 0;
    return function (text) {
      if (!el || !text) return;
      el.textContent = text;
      clearTimeout(clear);
      clear = setTimeout(function () { el.textContent = ""; }, 15000);
    };
  }

  // Several calls within `wait` make one run; a call during a run makes one more after it.
  function debounced(run, wait) {
    var timer = 0, running = false, again = false;
    function fire() {
      timer = 0;
      if (running) { again = true; return; }
      running = true;
      Promise.resolve(run()).catch(function () { /* the next message tries again */ }).then(function () {
        running = false;
        if (again) { again = false; schedule(); }
      });
    }
    function schedule() { if (!timer) timer = setTimeout(fire, wait); }
    return schedule;
  }

  // Connects to a hub with a handler per message; onUp runs on every (re)start, onBack after an automatic reconnect
  // (whatever happened while the connection was down is fetched then). A closed connection is retried every 5 s.
  function connect(url, root, handlers, onUp, onBack) {
    var connection = new signalR.HubConnectionBuilder()
      .withUrl(url)
      .withAutomaticReconnect()
      .configureLogging(signalR.LogLevel.Warning)
      .build();
    Object.keys(handlers).forEach(function (name) { connection.on(name, handlers[name]); });
    connection.onreconnecting(function () { root.setAttribute("data-live-state", "reconnecting"); });
    connection.onreconnected(function () { root.setAttribute("data-live-state", "connected"); if (onBack) onBack(); });
    connection.onclose(function () { root.setAttribute("data-live-state", "offline"); setTimeout(start, 5000); });
    function start() {
      connection.start().then(function () {
        root.setAttribute("data-live-state", "connected");
        if (onUp) onUp();
      }).catch(function () {
        root.setAttribute("data-live-state", "offline");
        setTimeout(start, 5000);
      });
    }
    start();
    return connection;
  }

  window.linliLive = { statusLine: statusLine, debounced: debounced, connect: connect };
})();
