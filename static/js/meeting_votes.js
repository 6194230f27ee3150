/*
 * The vote engine's part of the live meeting pages (see the contract at the top of meetings.js):
 * fills <section id="live-vote"> on the participant view, the chair console and the projector.
 * - console: create and open a yes/no vote on the current item, close the open vote;
 * - participant: vote Sì / No / Astensione on the open vote (ack only after the commit: the receipt
 *   is shown once the server has it); other kinds link to the poll page, which handles them;
 * - everyone: "n di m hanno votato" live, then the result when the poll closes.
 * A poll event carries no per-user state, so on poll_opened / poll_closed the page asks
 * `watch_poll` for the poll as this user sees it. No inline scripts (CSP), no innerHTML.
 */
(function () {
  "use strict";
  if (!window.TavoloMeeting) { return; }

  var TEXT = {
    it: {
      voted: "%(voted)s di %(entitled)s hanno votato", open: "Votazione aperta", closed: "Votazione chiusa",
      draft: "In preparazione", yes: "Sì", no: "No", abstain: "Astensione", receipt: "Voto registrato. Ricevuta: %(receipt)s",
      already: "Hai già votato.", notEntitled: "Non hai diritto di voto in questa votazione.",
      passed: "Approvata", rejected: "Respinta", noQuorum: "Quorum non raggiunto",
      newTitle: "Oggetto della votazione (Sì / No)", create: "Crea e apri la votazione", close: "Chiudi la votazione",
      openPage: "Vota nella pagina della votazione", hidden: "Conteggio nascosto fino alla chiusura.",
      announceOpen: "Votazione aperta: %(title)s", announceClosed: "Votazione chiusa: %(title)s. %(outcome)s",
      heading: "Votazioni", needTitle: "Scrivi l'oggetto della votazione."
    },
    en: {
      voted: "%(voted)s of %(entitled)s have voted", open: "Vote open", closed: "Vote closed",
      draft: "Being prepared", yes: "Yes", no: "No", abstain: "Abstain", receipt: "Vote recorded. Receipt: %(receipt)s",
      already: "You have already voted.", notEntitled: "You are not entitled to vote in this poll.",
      passed: "Passed", rejected: "Rejected", noQuorum: "Quorum not reached",
      newTitle: "Subject of the vote (Yes / No)", create: "Create and open the vote", close: "Close the vote",
      openPage: "Vote on the poll's page", hidden: "Tally hidden until the vote closes.",
      announceOpen: "Vote open: %(title)s", announceClosed: "Vote closed: %(title)s. %(outcome)s",
      heading: "Votes", needTitle: "Write the subject of the vote."
    }
  };
  // The accessible names of the yes/no buttons are part of the public interface: always Italian ones too.
  var lang = (document.documentElement.lang || "it").slice(0, 2) === "en" ? "en" : "it";
  var T = TEXT[lang];

  function fmt(template, params) {
    return String(template).replace(/%\((\w+)\)s/g, function (_m, key) { return params[key] === undefined ? "" : String(params[key]); });
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  var polls = {};      // id → poll as GET /api/v1/polls/{id} for this user
  var receipts = {};   // id → receipt of this page's ballot
  var ctxRef = null;

  function outcome(poll) {
    var r = poll.result || {};
    if (r.quorum_reached === false) { return T.noQuorum; }
    if (r.passed === true) { return T.passed; }
    if (r.passed === false) { return T.rejected; }
    return "";
  }

  function optionLabel(poll, key) {
    if (T[key] && poll.kind === "yesno") { return T[key]; }
    var match = (poll.options || []).filter(function (o) { return String(o.id) === String(key); })[0];
    return match ? match.label : String(key);
  }

  function countsList(poll, counts) {
    var list = el("ul", { "class": "list-unstyled mb-2", "data-poll-counts": "" });
    Object.keys(counts || {}).forEach(function (key) {
      var value = counts[key];
      if (typeof value === "object" && value !== null) { value = value.count !== undefined ? value.count : JSON.stringify(value); }
      list.appendChild(el("li", {}, optionLabel(poll, key) + ": " + value));
    });
    return list;
  }

  function ballotButtons(poll, ctx) {
    var box = el("div", { "class": "d-flex flex-wrap gap-2 mb-2", role: "group", "aria-label": poll.title });
    [["yes", "btn-success"], ["no", "btn-danger"], ["abstain", "btn-secondary"]].forEach(function (pair) {
      var button = el("button", { type: "button", "class": "btn btn-lg " + pair[1], "data-ballot": pair[0] }, T[pair[0]]);
      if (lang === "en") { button.setAttribute("aria-label", T[pair[0]] + " (" + TEXT.it[pair[0]] + ")"); }
      button.addEventListener("click", function () {
        box.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
        ctx.emit("cast_ballot", { poll_id: poll.id, choice: pair[0] }).then(function (ack) {
          if (ack && ack.ok) {
            receipts[poll.id] = ack.receipt;
            if (poll.viewer) { poll.viewer.can_vote = false; poll.viewer.has_voted = true; }
            ctx.feedback("");
            ctx.announce(fmt(T.receipt, { receipt: ack.receipt }));
          } else {
            ctx.feedback((ack && ack.error && ack.error.message) || T.notEntitled);
          }
          draw();
        });
      });
      box.appendChild(button);
    });
    return box;
  }

  function chairControls(poll, ctx) {
    var box = el("div", { "class": "mb-2" });
    if (poll.state === "open") {
      var close = el("button", { type: "button", "class": "btn btn-outline-danger", "data-action": "close-poll" }, T.close);
      close.addEventListener("click", function () {
        close.disabled = true;
        ctx.api("POST", "/api/v1/polls/" + poll.id + "/close").then(function (res) {
          close.disabled = false;
          ctx.feedback(res.ok ? "" : res.error.message);
        });
      });
      box.appendChild(close);
    }
    return box;
  }

  function createForm(ctx) {
    var form = el("form", { "class": "row g-2 align-items-end mt-3", "data-create-poll": "", novalidate: "" });
    var col = el("div", { "class": "col-md-8" });
    col.appendChild(el("label", { "class": "form-label", "for": "new-poll-title" }, T.newTitle));
    var input = el("input", { type: "text", id: "new-poll-title", "class": "form-control", maxlength: "300", required: "" });
    var item = currentItemTitle(ctx);
    if (item) { input.value = item; }
    col.appendChild(input);
    form.appendChild(col);
    var buttonCol = el("div", { "class": "col-md-4" });
    var submit = el("button", { type: "submit", "class": "btn btn-primary" }, T.create);
    buttonCol.appendChild(submit);
    form.appendChild(buttonCol);
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var title = input.value.trim();
      if (!title) { ctx.feedback(T.needTitle); input.focus(); return; }
      submit.disabled = true;
      ctx.api("POST", "/api/v1/polls", { title: title, kind: "yesno", meeting_id: ctx.meetingId }).then(function (res) {
        if (!res.ok) { return res; }
        return ctx.api("POST", "/api/v1/polls/" + res.data.id + "/open");
      }).then(function (res) {
        submit.disabled = false;
        ctx.feedback(res.ok ? "" : res.error.message);
      });
    });
    return form;
  }

  function currentItemTitle(ctx) {
    var s = ctx.snapshot();
    var item = (s.agenda || []).filter(function (i) { return i.id === s.current_item_id; })[0];
    return item ? item.title : "";
  }

  function pollCard(poll, ctx) {
    var card = el("article", { "class": "poll-live mb-3", "data-poll-id": String(poll.id), "data-poll-state": poll.state });
    card.appendChild(el("h3", { "class": ctx.view === "projector" ? "display-6" : "h5" }, poll.title));
    card.appendChild(el("p", { "class": "fw-semibold mb-1", "data-poll-status": "" }, T[poll.state] || poll.state));
    if (poll.state === "open") {
      card.appendChild(el("p", { "data-poll-progress": "" }, fmt(T.voted, { voted: poll.voted || 0, entitled: poll.entitled || 0 })));
      if (poll.hide_tally) { card.appendChild(el("p", { "class": "small" }, T.hidden)); }
      else if (poll.counts) { card.appendChild(countsList(poll, poll.counts)); }
      var viewer = poll.viewer || {};
      if (ctx.view === "participant") {
        if (receipts[poll.id]) {
          card.appendChild(el("p", { "class": "alert alert-success", "data-poll-receipt": "" }, fmt(T.receipt, { receipt: receipts[poll.id] })));
        } else if (viewer.has_voted) {
          card.appendChild(el("p", { "class": "alert alert-info" }, T.already));
        } else if (viewer.can_vote && poll.kind === "yesno") {
          card.appendChild(ballotButtons(poll, ctx));
        } else if (viewer.can_vote) {
          card.appendChild(el("a", { href: "/votes/" + poll.id, "class": "btn btn-primary" }, T.openPage));
        }
      }
    } else if (poll.state === "closed" && poll.result) {
      card.appendChild(el("p", { "class": "fs-4 fw-bold", "data-poll-outcome": "" }, outcome(poll)));
      card.appendChild(countsList(poll, poll.result.counts));
    }
    if (ctx.canRun && ctx.view === "console") { card.appendChild(chairControls(poll, ctx)); }
    return card;
  }

  function draw() {
    var ctx = ctxRef;
    if (!ctx || !ctx.body) { return; }
    var list = Object.keys(polls).map(function (id) { return polls[id]; })
      .filter(function (p) { return p.state !== "draft"; })
      .sort(function (a, b) { return b.id - a.id; });
    var keepTitle = ctx.body.querySelector("#new-poll-title");
    var typed = keepTitle ? keepTitle.value : null;
    ctx.body.querySelectorAll("[data-poll-id], [data-create-poll]").forEach(function (node) { node.remove(); });
    if (ctx.empty) { ctx.empty.hidden = list.length > 0; }
    // the open one first, then the most recent results (the projector shows the latest only)
    list.sort(function (a, b) { return (a.state === "open" ? 0 : 1) - (b.state === "open" ? 0 : 1) || b.id - a.id; });
    (ctx.view === "projector" ? list.slice(0, 1) : list.slice(0, 5)).forEach(function (poll) { ctx.body.appendChild(pollCard(poll, ctx)); });
    if (ctx.canRun && ctx.view === "console" && !list.some(function (p) { return p.state === "open"; })) {
      ctx.body.appendChild(createForm(ctx));
      if (typed !== null) { ctx.body.querySelector("#new-poll-title").value = typed; }
    }
  }

  function refresh(pollId, after) {
    ctxRef.emit("watch_poll", { poll_id: pollId }).then(function (ack) {
      if (ack && ack.ok && ack.poll) {
        polls[pollId] = ack.poll;
        if (after) { after(ack.poll); }
        draw();
      }
    });
  }

  window.TavoloMeeting.registerPart("polls", {
    onSnapshot: function (snapshot, ctx) {
      ctxRef = ctx;
      polls = {};
      (snapshot.polls || []).forEach(function (p) { polls[p.id] = p; });
      draw();
    },
    events: {
      poll_opened: function (payload, ctx) {
        ctxRef = ctx;
        refresh(payload.poll_id, function (poll) { ctx.announce(fmt(T.announceOpen, { title: poll.title })); });
      },
      tally_updated: function (payload, ctx) {
        ctxRef = ctx;
        var poll = polls[payload.poll_id];
        if (!poll) { refresh(payload.poll_id); return; }
        poll.voted = payload.voted;
        poll.entitled = payload.entitled;
        if (payload.counts) { poll.counts = payload.counts; }
        draw();
      },
      poll_closed: function (payload, ctx) {
        ctxRef = ctx;
        refresh(payload.poll_id, function (poll) {
          ctx.announce(fmt(T.announceClosed, { title: poll.title, outcome: outcome(poll) }));
        });
      }
    }
  });
})();
