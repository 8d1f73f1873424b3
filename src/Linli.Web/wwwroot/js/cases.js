// Residents' case pages. A part marked data-case-live="<case id>" (or "*" for any case) is fetched again with htmx when
// the server says over SignalR that the case changed; a button marked data-locate opens its address with the phone's
// position. Without JavaScript the pages work as plain links and forms.
(() => {
  for (const button of document.querySelectorAll('[data-locate]')) {
    if (!navigator.geolocation) continue;
    button.hidden = false;
    button.addEventListener('click', () => {
      const status = document.getElementById(button.dataset.locateStatus);
      const say = text => { if (status) { status.hidden = false; status.textContent = text; } };
      say(button.dataset.locateWaiting);
      navigator.geolocation.getCurrentPosition(
        p => { location.href = `${button.dataset.locate}&lat=${p.coords.latitude.toFixed(6)}&lng=${p.coords.longitude.toFixed(6)}`; },
        () => say(button.dataset.locateFailed),
        { enableHighAccuracy: true, timeout: 20000 });
    });
  }

  if (!document.querySelector('[data-case-live]') || !window.signalR || !window.htmx) return;
  // What someone is typing or has chosen is not thrown away: that part waits for the next change.
  const busy = part => part.contains(document.activeElement) && document.activeElement.matches('input, textarea, select')
    || [...part.querySelectorAll('input, textarea')].some(f => f.type === 'radio' || f.type === 'checkbox' ? f.checked !== f.defaultChecked : f.type !== 'hidden' && f.value !== f.defaultValue);
  // One request per part at a time; a change heard meanwhile fetches once more when it is done (htmx would drop it).
  const loading = new Map();
  const load = part => {
    if (loading.has(part.id)) { loading.set(part.id, true); return; }
    if (busy(part)) return;
    loading.set(part.id, false);
    htmx.ajax('GET', location.href, { source: part, target: '#' + part.id, select: '#' + part.id, swap: 'outerHTML' }).finally(() => {
      const again = loading.get(part.id);
      loading.delete(part.id);
      const fresh = document.getElementById(part.id);
      if (again && fresh) load(fresh);
    });
  };
  const refresh = caseId => {
    for (const part of document.querySelectorAll('[data-case-live]')) {
      const id = part.dataset.caseLive;
      if (part.id && (caseId === undefined || id === '*' || id === String(caseId))) load(part);
    }
  };
  const hub = new signalR.HubConnectionBuilder().withUrl('/hubs/cases').withAutomaticReconnect().build();
  hub.on('caseChanged', change => refresh(change.caseId));
  // Changes made while the connection was down were not heard: look again.
  hub.onreconnected(() => refresh());
  hub.start().then(() => { document.documentElement.dataset.caseLive = 'on'; }, () => { document.documentElement.dataset.caseLive = 'off'; });
})();
