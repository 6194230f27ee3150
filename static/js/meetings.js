/*
 * Live meeting pages: participant view, chair console, projector (and the print button of the
 * access-code cards). State comes from the page (data-snapshot) and then from the /live channel
 * (window.Tavolo.live): every event carries the whole part that changed, so nothing is refetched.
 *
 * Parts: the extension point for other domains (the vote engine fills <section id="live-vote">).
 *   window.TavoloMeeting.registerPart("polls", {
 *     onSnapshot: function (snapshot, ctx) {},                  // after every join / resync
 *     events: { poll_opened: function (payload, ctx) {}, ... }  // events of the meeting's room
 *   });
 * Register synchronously from a script loaded after this one (Python: register_page_script); the
 * live connection starts at DOMContentLoaded, with the parts' events subscribed. ctx holds:
 *   meetingId, view ("participant" | "console" | "projector"), userId, canRun, messages,
 *   container (the #live-vote section), body (its [data-live-vote-body]), empty (its
 *   [data-live-vote-empty] paragraph), emit(event, payload) → Promise of the ack ({ok, ...}),
 *   api(method, url, body) → Promise of {ok, status, data, error}, announce(text) (polite live
 *   region), feedback(text) (alert; "" clears), serverNow() (ms, corrected for clock skew),
 *   snapshot() (the latest snapshot; snapshot().polls is the server's "polls" part).
 * Events older than the last snapshot or than the last event of the same name are dropped.
 */
(function () {
  "use strict";

  var parts = [];
  window.TavoloMeeting = {
    registerPart: function (name, part) { parts.push({ name: name, part: part || {} }); }
  };

  function onReady(fn) {
    if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", fn); } else { setTimeout(fn, 0); }
  }

  onReady(function () {
    var printButton = document.querySelector("[data-action='print']");
    if (printButton) { printButton.addEventListener("click", function () { window.print(); }); }
    var root = document.getElementById("meeting-live");
    if (root) { start(root); }
  });

  /** "Tempo residuo: %(time)s" with {time: "4:05"}. */
  function fmt(template, params) {
    return String(template).replace(/%\((\w+)\)s/g, function (_m, key) {
      return params && params[key] !== undefined && params[key] !== null ? String(params[key]) : "";
    });
  }

  /** Seconds as m:ss, or h:mm:ss from an hour up. */
  function clock(seconds) {
    var s = Math.max(0, Math.floor(seconds));
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    return (h ? h + ":" + String(m).padStart(2, "0") : String(m)) + ":" + String(sec).padStart(2, "0");
  }

  function fillSlots(el, name, text) {
    el.querySelectorAll("[data-slot='" + name + "']").forEach(function (node) {
      if (node.textContent !== text) { node.textContent = text; }
    });
  }

  function fromTemplate(id) {
    var tpl = document.getElementById(id);
    return tpl ? tpl.content.firstElementChild.cloneNode(true) : null;
  }

  /** Update a list in place, one element per record (keyed by id), so focus and open forms survive. */
  function renderKeyed(container, records, keyName, templateId, fill) {
    var focused = document.activeElement;
    var existing = {};
    Array.prototype.slice.call(container.children).forEach(function (el) {
      if (el.dataset[keyName]) { existing[el.dataset[keyName]] = el; } else { el.remove(); }
    });
    records.forEach(function (record, index) {
      var key = String(record.id);
      var el = existing[key] || fromTemplate(templateId);
      if (!el) { return; }
      delete existing[key];
      el.dataset[keyName] = key;
      fill(el, record, index, records);
      if (container.children[index] !== el) { container.insertBefore(el, container.children[index] || null); }
    });
    Object.keys(existing).forEach(function (key) { existing[key].remove(); });
    // moving a row drops its focus: give it back (or to a usable neighbour in the same row)
    if (focused && focused !== document.activeElement && document.contains(focused)) {
      var row = focused.closest("li, tr");
      var target = focused.disabled ? (row && row.querySelector("button:not([disabled])")) : focused;
      if (target) { target.focus(); }
    }
  }

  function start(root) {
    var M = JSON.parse(root.dataset.messages);
    var meetingId = parseInt(root.dataset.meetingId, 10);
    var userId = parseInt(root.dataset.userId, 10);
    var view = root.dataset.view;
    var canRun = root.dataset.canRun === "true";
    var apiMeeting = root.dataset.apiMeeting;
    var state = { snapshot: JSON.parse(root.dataset.snapshot), skew: 0, baseSeq: 0, seen: {}, overAnnounced: null };
    var live = null;

    function $(selector) { return root.querySelector(selector); }
    function $all(selector) { return Array.prototype.slice.call(root.querySelectorAll(selector)); }

    // --- clock: the server's time, so every screen counts down alike ---------------------------
    function syncClock(serverTime) {
      var t = serverTime ? Date.parse(serverTime) : NaN;
      if (!isNaN(t)) { state.skew = t - Date.now(); }
    }
    function serverNow() { return Date.now() + state.skew; }

    // --- telling people -----------------------------------------------------------------------
    var announcer = $("[data-live-announce]");
    var feedbackBox = $("[data-live-feedback]");
    function announce(text) {
      if (!announcer || !text) { return; }
      announcer.textContent = "";
      setTimeout(function () { announcer.textContent = text; }, 60);  // same text twice is said twice
    }
    function feedback(text) { if (feedbackBox) { feedbackBox.textContent = text || ""; } }

    function setConnection(status) {
      var box = $("[data-live-status]");
      if (!box) { return; }
      box.dataset.state = status;
      box.querySelector("[data-live-status-text]").textContent = M[status] || status;
    }

    // --- talking to the server ----------------------------------------------------------------
    function emit(name, payload) {
      return new Promise(function (resolve) {
        if (!live || !live.socket.connected) {
          resolve({ ok: false, error: { code: "offline", message: M.offline } });
          return;
        }
        live.socket.timeout(10000).emit(name, payload, function (err, ack) {
          resolve(err ? { ok: false, error: { code: "timeout", message: M.offline } } : (ack || { ok: false }));
        });
      });
    }
    function apiCall(method, url, body) {
      return window.Tavolo.api(method, url, body).then(function (res) {
        res.error = res.ok ? null : ((res.data && res.data.error) || { message: M.error });
        return res;
      }, function () { return { ok: false, error: { code: "offline", message: M.offline } }; });
    }
    function run(promise) {
      return promise.then(function (res) {
        feedback(res.ok ? "" : ((res.error && res.error.message) || M.error));
        return res;
      });
    }

    // --- reading the snapshot -----------------------------------------------------------------
    function snap() { return state.snapshot; }
    function currentItem() {
      var s = snap();
      return s.agenda.filter(function (item) { return item.id === s.current_item_id; })[0] || null;
    }
    function speaking() { return snap().speakers.filter(function (x) { return x.state === "speaking"; })[0] || null; }
    function waiting() { return snap().speakers.filter(function (x) { return x.state === "waiting"; }); }
    function myRequest() { return snap().speakers.filter(function (x) { return x.user_id === userId; })[0] || null; }
    function isPresent(id) { return snap().presence.users.some(function (u) { return u.user_id === id; }); }
    function speakerLabel(s) { return s.name + (s.organization ? " (" + s.organization + ")" : ""); }

    // --- drawing ------------------------------------------------------------------------------
    function renderHeader() {
      var s = snap();
      $all("[data-meeting-status]").forEach(function (el) { el.textContent = M.status[s.status] || s.status; });
      $all("[data-when-status]").forEach(function (el) { el.hidden = el.dataset.whenStatus !== s.status; });
      $all("[data-action='toggle-presence'], [data-action='toggle-person']").forEach(function (el) {
        el.disabled = s.status === "closed";
      });
    }

    function fillAgendaRow(el, item, index, items) {
      var s = snap();
      var isCurrent = item.id === s.current_item_id;
      fillSlots(el, "title", item.title);
      fillSlots(el, "duration", item.duration ? fmt(M.minutes, { n: item.duration }) : "");
      fillSlots(el, "ref", item.ref || "");
      var badge = el.querySelector("[data-slot='current']");
      if (badge) { badge.hidden = !isCurrent; }
      el.classList.toggle("is-current", isCurrent);
      if (isCurrent) { el.setAttribute("aria-current", "step"); } else { el.removeAttribute("aria-current"); }
      var buttons = {};
      el.querySelectorAll("[data-action]").forEach(function (b) { buttons[b.dataset.action] = b; });
      if (buttons["make-current"]) { buttons["make-current"].disabled = s.status !== "open"; }
      if (buttons["move-up"]) { buttons["move-up"].disabled = index === 0 || s.status === "closed"; }
      if (buttons["move-down"]) { buttons["move-down"].disabled = index === items.length - 1 || s.status === "closed"; }
      if (buttons["delete"]) { buttons["delete"].disabled = isCurrent || s.status === "closed"; }
      el.querySelectorAll("[data-id-prefix]").forEach(function (input) { input.id = input.dataset.idPrefix + item.id; });
      el.querySelectorAll("[data-for-prefix]").forEach(function (label) { label.htmlFor = label.dataset.forPrefix + item.id; });
      var form = el.querySelector("[data-edit-item]");
      if (form && form.dataset.dirty !== "true") {
        form.querySelector("[data-field='title']").value = item.title;
        form.querySelector("[data-field='duration']").value = item.duration || "";
        form.querySelector("[data-field='ref']").value = item.ref || "";
      }
    }

    function renderAgenda() {
      var list = $("[data-agenda]");
      if (list) {
        renderKeyed(list, snap().agenda, "itemId", "tpl-agenda-row", fillAgendaRow);
      }
      var item = currentItem();
      $all("[data-current-title]").forEach(function (el) { el.textContent = item ? item.title : M.noCurrentItem; });
      var clear = $("[data-action='clear-current']");
      if (clear) { clear.disabled = !item || snap().status !== "open"; }
    }

    function fillSpeakerRow(el, s) {
      fillSlots(el, "position", String(s.position));
      fillSlots(el, "name", s.name);
      fillSlots(el, "organization", s.organization || "");
      fillSlots(el, "kind", M.kinds[s.kind] || s.kind);
      var kind = el.querySelector("[data-slot='kind']");
      if (kind) { kind.dataset.kind = s.kind; }
      var mine = el.querySelector("[data-slot='mine']");
      if (mine) { mine.hidden = s.user_id !== userId; }
      var give = el.querySelector("[data-action='give-floor']");
      if (give) { give.disabled = snap().status !== "open"; }
    }

    function renderSpeakers() {
      var s = snap();
      var speaker = speaking();
      var queue = waiting();
      $all("[data-current-speaker]").forEach(function (el) {
        el.textContent = speaker ? fmt(M.speaking, { name: speakerLabel(speaker) }) : M.nobodySpeaking;
      });
      var list = $("[data-speakers]");
      if (list) { renderKeyed(list, queue, "speakerId", "tpl-speaker-row", fillSpeakerRow); }
      $all("[data-speakers-empty]").forEach(function (el) { el.hidden = queue.length > 0; });
      $all("[data-speakers-closed]").forEach(function (el) { el.hidden = s.speakers_open; });
      var stateText = $("[data-speakers-state]");
      if (stateText) { stateText.textContent = s.speakers_open ? M.listOpen : M.listClosed; }
      var closeBtn = $("[data-action='close-speakers']"), openBtn = $("[data-action='open-speakers']");
      if (closeBtn) { closeBtn.hidden = !s.speakers_open; closeBtn.disabled = s.status === "closed"; }
      if (openBtn) { openBtn.hidden = s.speakers_open; openBtn.disabled = s.status === "closed"; }
      var end = $("[data-action='end-speech']");
      if (end) { end.disabled = !speaker; }
      var mine = myRequest();
      var position = $("[data-my-position]");
      if (position) {
        position.textContent = !mine ? M.notInList : (mine.state === "speaking" ? M.myTurn : fmt(M.myPosition, { n: mine.position }));
      }
      var withdraw = $("[data-action='withdraw-mine']");
      if (withdraw) { withdraw.hidden = !(mine && mine.state === "waiting"); }
      var ask = $("[data-action='request-speak']");
      if (ask) { ask.disabled = Boolean(mine) || !s.speakers_open || s.status !== "open"; }
      var next = $("[data-next-speakers]");
      if (next) {
        next.textContent = "";
        queue.slice(0, parseInt(next.dataset.limit || "5", 10)).forEach(function (x) {
          var li = document.createElement("li");
          li.textContent = speakerLabel(x) + " — " + (M.kinds[x.kind] || x.kind);
          next.appendChild(li);
        });
      }
      var limit = $("[data-limit-form] [data-field='speaking_limit']");
      if (limit && document.activeElement !== limit) { limit.value = s.speaking_limit || ""; }
    }

    function renderPresence() {
      var s = snap();
      var q = s.quorum;
      $all("[data-quorum]").forEach(function (el) {
        el.textContent = fmt(M.quorum, { present: q.organizations_present, entitled: q.organizations_entitled, majority: q.majority })
          + " " + (q.majority_present ? M.quorumMet : M.quorumNotMet);
      });
      $all("[data-presence-summary]").forEach(function (el) { el.textContent = fmt(M.presenceSummary, s.presence.counts); });
      $all("[data-person-id]").forEach(function (row) {
        var here = isPresent(parseInt(row.dataset.personId, 10));
        fillSlots(row, "state", here ? M.present : M.absent);
        var button = row.querySelector("[data-action='toggle-person']");
        if (button) {
          fillSlots(button, "label", here ? M.markAbsent : M.markPresent);
        }
      });
      var mine = $("[data-my-presence]");
      if (mine) { mine.textContent = s.me.present ? M.youArePresent : M.youAreAbsent; }
      var toggle = $("[data-action='toggle-presence']");
      if (toggle) {
        toggle.textContent = s.me.present ? M.checkOut : M.checkIn;
      }
    }

    function fillTotalRow(el, t) {
      fillSlots(el, "name", t.name);
      fillSlots(el, "count", String(t.count));
      fillSlots(el, "time", clock(t.seconds));
    }

    function renderTotals() {
      var totals = snap().speaker_totals;
      $all("[data-totals]").forEach(function (body) {
        var rows = (totals[body.dataset.totals] || []).map(function (t) {
          return Object.assign({ id: t.user_id || t.organization_id }, t);
        });
        renderKeyed(body, rows, "totalId", "tpl-total-row", fillTotalRow);
      });
    }

    /** Every second: the item's countdown and the speaker's running time (role=timer: not read aloud). */
    function tick() {
      var s = snap();
      var countdown = $("[data-countdown]");
      var item = currentItem();
      if (countdown) {
        var text = "", over = false;
        if (item && item.started_at && s.status === "open") {
          var elapsed = (serverNow() - Date.parse(item.started_at)) / 1000;
          if (item.duration) {
            var left = item.duration * 60 - elapsed;
            over = left < 0;
            text = fmt(over ? M.overtime : M.remaining, { time: clock(Math.abs(left)) });
          } else {
            text = fmt(M.elapsed, { time: clock(elapsed) });
          }
        }
        if (countdown.textContent !== text) { countdown.textContent = text; }
        countdown.classList.toggle("is-over", over);
        if (over && state.overAnnounced !== item.id + item.started_at) {
          state.overAnnounced = item.id + item.started_at;
          announce(text);
        }
      }
      var speakerTime = $("[data-speaker-time]");
      if (speakerTime) {
        var speaker = speaking(), line = "", overLimit = false;
        if (speaker && speaker.started_at) {
          var talked = (serverNow() - Date.parse(speaker.started_at)) / 1000;
          line = fmt(M.speakingFor, { time: clock(talked) });
          if (s.speaking_limit) {
            overLimit = talked > s.speaking_limit;
            line += " · " + fmt(overLimit ? M.overLimit : M.limit, { time: clock(s.speaking_limit) });
          }
        }
        if (speakerTime.textContent !== line) { speakerTime.textContent = line; }
        speakerTime.classList.toggle("is-over-limit", overLimit);
      }
    }

    function renderAll() {
      renderHeader();
      renderAgenda();
      renderSpeakers();
      renderPresence();
      renderTotals();
      tick();
    }

    // --- events of the meeting's room ---------------------------------------------------------
    var HEADER_KEYS = ["title", "starts_at", "place", "status", "opened_at", "closed_at", "current_item_id"];
    var handlers = {
      agenda_changed: function (p) {
        var s = snap(), before = s.status;
        HEADER_KEYS.forEach(function (key) { if (key in p) { s[key] = p[key]; } });
        if (p.agenda) { s.agenda = p.agenda; }
        renderAll();
        announce(before !== s.status ? fmt(M.meetingStatus, { status: M.status[s.status] }) : M.agendaUpdated);
      },
      current_item_changed: function (p) {
        var s = snap();
        syncClock(p.server_time);
        s.current_item_id = p.current_item_id;
        if (p.item) {
          s.agenda = s.agenda.map(function (item) { return item.id === p.item.id ? p.item : item; });
        }
        renderAll();
        announce(p.item ? fmt(M.currentItem, { title: p.item.title }) : M.noCurrentItem);
      },
      presence_changed: function (p) {
        var s = snap();
        s.presence = p.presence;
        s.quorum = p.quorum;
        if (p.user_id === userId) { s.me.present = p.present; }
        renderHeader();
        renderPresence();
        if (p.user_id === userId) { announce(p.present ? M.youArePresent : M.youAreAbsent); }
      },
      speakers_changed: function (p) {
        var s = snap();
        var speakerBefore = speaking(), mineBefore = myRequest();
        syncClock(p.server_time);
        ["speakers", "speakers_open", "speaking_limit", "speaker_totals"].forEach(function (key) {
          if (key in p) { s[key] = p[key]; }
        });
        renderSpeakers();
        renderTotals();
        tick();
        var speakerNow = speaking(), mineNow = myRequest();
        if (speakerNow && (!speakerBefore || speakerBefore.id !== speakerNow.id)) {
          announce(speakerNow.user_id === userId ? M.myTurn : fmt(M.speaking, { name: speakerLabel(speakerNow) }));
        } else if (mineNow && mineNow.state === "waiting" && (!mineBefore || mineBefore.position !== mineNow.position)) {
          announce(fmt(M.myPosition, { n: mineNow.position }));
        } else if (!speakerNow && speakerBefore) {
          announce(M.nobodySpeaking);
        }
      }
    };

    var container = document.getElementById("live-vote");
    var ctx = {
      meetingId: meetingId, view: view, userId: userId, canRun: canRun, messages: M,
      container: container,
      body: container ? container.querySelector("[data-live-vote-body]") : null,
      empty: container ? container.querySelector("[data-live-vote-empty]") : null,
      emit: emit, api: apiCall, announce: announce, feedback: feedback, serverNow: serverNow, snapshot: snap
    };

    /** Drop events the last snapshot already contains, or older than one already applied. */
    function fresh(name, payload) {
      var seq = payload && typeof payload.seq === "number" ? payload.seq : null;
      if (seq === null) { return true; }
      if (seq < state.baseSeq || seq < (state.seen[name] || 0)) { return false; }
      state.seen[name] = seq;
      return true;
    }

    var on = {};
    var names = Object.keys(handlers);
    parts.forEach(function (entry) { names = names.concat(Object.keys(entry.part.events || {})); });
    names.forEach(function (name) {
      if (on[name]) { return; }
      on[name] = function (payload) {
        if (!payload || payload.meeting_id !== undefined && payload.meeting_id !== meetingId) { return; }
        if (!fresh(name, payload)) { return; }
        if (handlers[name]) { handlers[name](payload); }
        parts.forEach(function (entry) {
          var fn = entry.part.events && entry.part.events[name];
          if (fn) { fn(payload, ctx); }
        });
      };
    });

    function applySnapshot(snapshot, ack) {
      state.snapshot = snapshot;
      state.baseSeq = (ack && ack.seq) || 0;
      state.seen = {};
      syncClock(snapshot.server_time);
      renderAll();
      parts.forEach(function (entry) { if (entry.part.onSnapshot) { entry.part.onSnapshot(snapshot, ctx); } });
    }

    // --- what people do -----------------------------------------------------------------------
    function fields(form) {
      var body = {};
      form.querySelectorAll("[data-field]").forEach(function (el) {
        var value = el.value.trim();
        if (el.type === "number") { body[el.dataset.field] = value === "" ? null : parseInt(value, 10); }
        else if (value === "" && el.dataset.field !== "title") { body[el.dataset.field] = null; }
        else { body[el.dataset.field] = value; }
      });
      return body;
    }

    function moveItem(itemId, delta) {
      var ids = snap().agenda.map(function (item) { return item.id; });
      var index = ids.indexOf(itemId), to = index + delta;
      if (index < 0 || to < 0 || to >= ids.length) { return; }
      ids.splice(to, 0, ids.splice(index, 1)[0]);
      run(apiCall("POST", apiMeeting + "/agenda/order", { item_ids: ids }));
    }

    root.addEventListener("click", function (ev) {
      var button = ev.target.closest("[data-action]");
      if (!button || !root.contains(button) || button.tagName !== "BUTTON" || button.type === "submit") { return; }
      var row = button.closest("[data-item-id], [data-speaker-id], [data-person-id]");
      var itemId = row && row.dataset.itemId ? parseInt(row.dataset.itemId, 10) : null;
      var speakerId = row && row.dataset.speakerId ? parseInt(row.dataset.speakerId, 10) : null;
      switch (button.dataset.action) {
        case "toggle-presence":
          run(emit("check_in", { meeting_id: meetingId, present: !snap().me.present })).then(function (res) {
            if (res.ok) { snap().me.present = res.present; renderPresence(); }
          });
          break;
        case "withdraw-mine":
          if (myRequest()) { run(emit("withdraw_request", { meeting_id: meetingId, speaker_id: myRequest().id })); }
          break;
        case "make-current":
          run(emit("set_current_item", { meeting_id: meetingId, item_id: itemId }));
          break;
        case "clear-current":
          run(emit("set_current_item", { meeting_id: meetingId, item_id: null }));
          break;
        case "move-up": moveItem(itemId, -1); break;
        case "move-down": moveItem(itemId, 1); break;
        case "delete":
          if (window.confirm(M.confirmDelete)) { run(apiCall("DELETE", "/api/v1/agenda-items/" + itemId)); }
          break;
        case "give-floor":
          run(emit("give_floor", { meeting_id: meetingId, speaker_id: speakerId }));
          break;
        case "remove-speaker":
          run(emit("withdraw_request", { meeting_id: meetingId, speaker_id: speakerId }));
          break;
        case "end-speech":
          run(emit("end_speech", { meeting_id: meetingId }));
          break;
        case "close-speakers":
          run(emit("close_speakers", { meeting_id: meetingId }));
          break;
        case "open-speakers":
          run(emit("open_speakers", { meeting_id: meetingId }));
          break;
        case "toggle-person": {
          var personId = parseInt(row.dataset.personId, 10);
          run(emit("check_in", { meeting_id: meetingId, user_id: personId, present: !isPresent(personId) }));
          break;
        }
        default: break;
      }
    });

    root.addEventListener("input", function (ev) {
      var form = ev.target.closest("[data-edit-item]");
      if (form) { form.dataset.dirty = "true"; }
    });

    root.addEventListener("submit", function (ev) {
      var form = ev.target;
      if (form.matches("[data-speak-form]")) {
        ev.preventDefault();
        var checked = form.querySelector("input[name='kind']:checked");
        run(emit("request_to_speak", { meeting_id: meetingId, kind: checked ? checked.value : "contribution" }));
      } else if (form.matches("[data-edit-item]")) {
        ev.preventDefault();
        var itemId = parseInt(form.closest("[data-item-id]").dataset.itemId, 10);
        run(apiCall("PATCH", "/api/v1/agenda-items/" + itemId, fields(form))).then(function (res) {
          if (res.ok) {
            form.dataset.dirty = "";
            var details = form.closest("details");
            if (details) { details.open = false; details.querySelector("summary").focus(); }
          }
        });
      } else if (form.matches("[data-limit-form]")) {
        ev.preventDefault();
        run(apiCall("PATCH", apiMeeting, fields(form)));
      } else if (form.dataset.apiUrl) {
        // works without JavaScript as a normal form; here it goes to the API and the page stays
        ev.preventDefault();
        if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) { return; }
        var body = fields(form);
        run(apiCall("POST", form.dataset.apiUrl, Object.keys(body).length ? body : undefined)).then(function (res) {
          if (res.ok && form.hasAttribute("data-reset")) { form.reset(); }
        });
      }
    });

    // --- go -----------------------------------------------------------------------------------
    syncClock(snap().server_time);
    renderAll();
    setInterval(tick, 1000);
    live = window.Tavolo.live({
      meetingId: meetingId,
      on: on,
      onSnapshot: applySnapshot,
      onStatus: setConnection
    });
    if (!live) { setConnection("disconnected"); }
  }
})();
