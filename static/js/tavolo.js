/* Tavolo shared front-end: fonts, CSRF for fetch, and the live channel client. No inline scripts (CSP). */
(function () {
  "use strict";
  var body = document.body;
  if (window.bootstrap && typeof window.bootstrap.loadFonts === "function") {
    window.bootstrap.loadFonts(body.dataset.fonts);
  }

  /** JSON call to the API with the session cookie; resolves to {ok, status, data}. */
  function api(method, url, payload) {
    return fetch(url, {
      method: method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": body.dataset.csrf, "Accept": "application/json" },
      body: payload === undefined ? undefined : JSON.stringify(payload)
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) {
        return { ok: res.ok, status: res.status, data: data };
      });
    });
  }

  /**
   * Live channel: connects to /live with the session cookie, keeps the highest seq seen and,
   * on every (re)connection, joins the meeting again and asks for a resync snapshot.
   */
  function live(options) {
    if (!window.io) { return null; }
    var lastSeq = 0;
    var socket = window.io("/live", { transports: ["websocket", "polling"] });
    var handlers = options.on || {};
    function applySnapshot(ack) {
      if (ack && ack.ok) {
        lastSeq = Math.max(lastSeq, ack.seq || 0);
        if (options.onSnapshot) { options.onSnapshot(ack.snapshot, ack); }
      }
    }
    socket.on("connect", function () {
      if (options.onStatus) { options.onStatus("connected"); }
      if (options.meetingId) {
        if (lastSeq > 0) {
          socket.emit("resync", { meeting_id: options.meetingId, since: lastSeq }, applySnapshot);
        } else {
          socket.emit("join_meeting", { meeting_id: options.meetingId }, applySnapshot);
        }
      }
      if (options.topics) {
        options.topics.forEach(function (topic) { socket.emit("subscribe", { topic: topic }); });
      }
    });
    socket.on("disconnect", function () { if (options.onStatus) { options.onStatus("disconnected"); } });
    socket.on("logged_out", function () { socket.disconnect(); });
    Object.keys(handlers).forEach(function (name) {
      socket.on(name, function (payload) {
        if (payload && typeof payload.seq === "number") { lastSeq = Math.max(lastSeq, payload.seq); }
        handlers[name](payload);
      });
    });
    return { socket: socket, lastSeq: function () { return lastSeq; } };
  }

  window.Tavolo = { api: api, live: live };
})();
