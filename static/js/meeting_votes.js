/*
 * The vote engine's part of the live meeting pages (see the contract at the top of meetings.js):
 * fills <section id="live-vote"> on the participant view, the chair console and the projector.
 * - console: create and open a vote on the current item (yes/no, a choice among options or a
 *   ranking of priorities; one ballot per organization or per person), close the open vote;
 * - participant: Sì / No / Astensione buttons, a choice among options, or a ranking put in order
 *   with Su / Giù buttons (keyboard and screen readers alike, no dragging); the receipt is shown
 *   once the server has committed the ballot (the ack comes after the commit);
 * - everyone: "n di m hanno votato" live, then the result when the poll closes.
 * A poll event carries no per-user state, so on poll_opened / poll_closed the page asks
 * `watch_poll` for the poll as this user sees it. Texts come from the server
 * (ctx.messages.votes, app/votes/meeting_page.py). No inline scripts (CSP), no innerHTML.
 */
(function () {
  "use strict";
  if (!window.TavoloMeeting) { return; }

  var M = {};          // texts, from ctx.messages.votes
  var polls = {};      // id → poll as GET /api/v1/polls/{id} for this user
  var receipts = {};   // id → receipt of this page's ballot
  var picks = {};      // id → {option id: true} chosen so far (choice polls), kept across redraws
  var orders = {};     // id → option ids in the order this voter has put them (ranking polls)
  var draft = null;    // the console's new-vote form as typed so far
  var ctxRef = null;

  function fmt(template, params) {
    return String(template || "").replace(/%\((\w+)\)s/g, function (_m, key) { return params[key] === undefined ? "" : String(params[key]); });
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function optionLabel(poll, key) {
    if (poll.kind === "yesno" && M.ballot && M.ballot[key]) { return M.ballot[key]; }
    var match = (poll.options || []).filter(function (o) { return String(o.id) === String(key); })[0];
    return match ? match.label : String(key);
  }

  function outcome(poll) {
    var r = poll.result || {};
    if (r.quorum_reached === false) { return M.noQuorum; }
    if (r.passed === true) { return M.passed; }
    if (r.passed === false) { return M.rejected; }
    if (poll.kind === "choice" && r.winners && r.winners.length) {
      return r.winners.length > 1 ? M.tie : fmt(M.winner, { label: optionLabel(poll, r.winners[0]) });
    }
    if (poll.kind === "ranking" && r.schulze_tiers && r.schulze_tiers.length) {
      var first = r.schulze_tiers[0];
      return first.length > 1 ? M.tie : fmt(M.winner, { label: optionLabel(poll, first[0]) });
    }
    return "";
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

  /** The Schulze order, ties (options of one tier) on one line. */
  function rankingResult(poll) {
    var r = poll.result || {};
    var tiers = r.schulze_tiers || (r.schulze || []).map(function (id) { return [id]; });
    var box = el("div", { "data-poll-ranking": "" });
    box.appendChild(el("p", { "class": "fw-semibold mb-1" }, M.rankingResult));
    var list = el("ol", { "class": "mb-2" });
    tiers.forEach(function (tier) {
      var text = tier.map(function (id) { return optionLabel(poll, id); }).join(" = ");
      list.appendChild(el("li", {}, tier.length > 1 ? text + " (" + M.tie + ")" : text));
    });
    box.appendChild(list);
    return box;
  }

  function progressText(poll) {
    return fmt(M.voted, { voted: poll.voted || 0, entitled: poll.entitled || 0 });
  }

  /* --- ballots ------------------------------------------------------------------------- */

  function send(poll, ballot, controls) {
    var ctx = ctxRef;
    controls.forEach(function (c) { c.disabled = true; });
    ctx.emit("cast_ballot", Object.assign({ poll_id: poll.id }, ballot)).then(function (ack) {
      if (ack && ack.ok) {
        receipts[poll.id] = ack.receipt;
        if (poll.viewer) { poll.viewer.can_vote = false; poll.viewer.has_voted = true; }
        ctx.feedback("");
        ctx.announce(fmt(M.receipt, { receipt: ack.receipt }));
      } else {
        ctx.feedback((ack && ack.error && ack.error.message) || M.notEntitled);
      }
      draw();
    });
  }

  function yesnoButtons(poll) {
    var box = el("div", { "class": "d-flex flex-wrap gap-2 mb-2", role: "group", "aria-label": poll.title });
    var buttons = [];
    [["yes", "btn-success"], ["no", "btn-danger"], ["abstain", "btn-secondary"]].forEach(function (pair) {
      var key = pair[0];
      var button = el("button", { type: "button", "class": "btn btn-lg " + pair[1], "data-ballot": key, "data-focus-key": "ballot-" + key }, M.ballot[key]);
      if (M.ballot[key] !== M.ballotItalian[key]) { button.setAttribute("aria-label", M.ballot[key] + " (" + M.ballotItalian[key] + ")"); }
      button.addEventListener("click", function () { send(poll, { choice: key }, buttons); });
      buttons.push(button);
      box.appendChild(button);
    });
    return box;
  }

  function choiceForm(poll) {
    var multiple = (poll.max_choices || 1) > 1;
    var chosen = picks[poll.id] = picks[poll.id] || {};
    var form = el("form", { "class": "mb-2", "data-ballot-form": "choice", novalidate: "" });
    var fieldset = el("fieldset");
    fieldset.appendChild(el("legend", { "class": "h6" }, multiple ? fmt(M.chooseUpTo, { n: poll.max_choices }) : M.chooseOne));
    (poll.options || []).forEach(function (option) {
      var id = "poll-" + poll.id + "-option-" + option.id;
      var row = el("div", { "class": "form-check" });
      var input = el("input", { type: multiple ? "checkbox" : "radio", "class": "form-check-input", id: id,
        name: "poll-" + poll.id, value: String(option.id), "data-focus-key": id });
      input.checked = !!chosen[option.id];
      input.addEventListener("change", function () {
        if (!multiple) { Object.keys(chosen).forEach(function (k) { delete chosen[k]; }); }
        if (input.checked) { chosen[option.id] = true; } else { delete chosen[option.id]; }
      });
      row.appendChild(input);
      row.appendChild(el("label", { "class": "form-check-label", "for": id }, option.label));
      fieldset.appendChild(row);
    });
    form.appendChild(fieldset);
    var submit = el("button", { type: "submit", "class": "btn btn-primary mt-2", "data-focus-key": "send-" + poll.id }, M.sendChoice);
    form.appendChild(submit);
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var ids = Object.keys(chosen).map(Number);
      if (!ids.length) { ctxRef.feedback(M.needChoice); return; }
      send(poll, multiple ? { choices: ids } : { choice: ids[0] }, Array.prototype.slice.call(form.elements));
    });
    return form;
  }

  function rankingOrder(poll) {
    var known = (poll.options || []).map(function (o) { return o.id; });
    var order = (orders[poll.id] || []).filter(function (id) { return known.indexOf(id) >= 0; });
    known.forEach(function (id) { if (order.indexOf(id) < 0) { order.push(id); } });
    orders[poll.id] = order;
    return order;
  }

  function move(poll, index, delta) {
    var order = orders[poll.id];
    var target = index + delta;
    if (target < 0 || target >= order.length) { return; }
    var id = order[index];
    order[index] = order[target];
    order[target] = id;
    // keep the focus on the button just pressed, on the option that moved (or its twin at the edge)
    var key = "rank-" + poll.id + "-" + id + "-" + (delta < 0 ? "up" : "down");
    var edge = target === 0 || target === order.length - 1;
    draw(edge ? "rank-" + poll.id + "-" + id + "-" + (delta < 0 ? "down" : "up") : key);
    ctxRef.announce(fmt(M.moved, { label: optionLabel(poll, id), n: target + 1 }));
  }

  function rankingForm(poll) {
    var order = rankingOrder(poll);
    var form = el("form", { "class": "mb-2", "data-ballot-form": "ranking", novalidate: "" });
    var help = el("p", { id: "rank-help-" + poll.id, "class": "small" }, M.rankHelp);
    form.appendChild(help);
    var list = el("ol", { "class": "list-group list-group-numbered mb-2", "aria-describedby": help.id, "data-ranking": "" });
    order.forEach(function (id, index) {
      var label = optionLabel(poll, id);
      var row = el("li", { "class": "list-group-item d-flex align-items-center gap-2 flex-wrap", "data-option-id": String(id) });
      row.appendChild(el("span", { "class": "flex-grow-1", "data-slot": "label" }, label));
      [["up", -1, M.moveUp], ["down", 1, M.moveDown]].forEach(function (spec) {
        var button = el("button", { type: "button", "class": "btn btn-outline-primary btn-sm",
          "data-move": spec[0], "data-focus-key": "rank-" + poll.id + "-" + id + "-" + spec[0],
          "aria-label": spec[2] + ": " + label + ", " + fmt(M.position, { n: index + 1 }) }, spec[2]);
        if ((spec[1] < 0 && index === 0) || (spec[1] > 0 && index === order.length - 1)) { button.disabled = true; }
        button.addEventListener("click", function () { move(poll, index, spec[1]); });
        row.appendChild(button);
      });
      list.appendChild(row);
    });
    form.appendChild(list);
    var submit = el("button", { type: "submit", "class": "btn btn-primary", "data-focus-key": "send-" + poll.id }, M.sendRanking);
    form.appendChild(submit);
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      send(poll, { ranking: orders[poll.id].slice() }, Array.prototype.slice.call(form.querySelectorAll("button")));
    });
    return form;
  }

  function ballotControls(poll) {
    if (poll.kind === "yesno") { return yesnoButtons(poll); }
    if (poll.kind === "choice") { return choiceForm(poll); }
    return rankingForm(poll);
  }

  /* --- the chair's controls ------------------------------------------------------------- */

  function closeButton(poll) {
    var close = el("button", { type: "button", "class": "btn btn-outline-danger", "data-action": "close-poll" }, M.close);
    close.addEventListener("click", function () {
      close.disabled = true;
      ctxRef.api("POST", "/api/v1/polls/" + poll.id + "/close").then(function (res) {
        close.disabled = false;
        ctxRef.feedback(res.ok ? "" : res.error.message);
      });
    });
    return close;
  }

  function labelled(id, text, control, cols) {
    var col = el("div", { "class": cols });
    col.appendChild(el("label", { "class": "form-label", "for": id }, text));
    col.appendChild(control);
    return col;
  }

  function select(id, choices, value) {
    var node = el("select", { id: id, "class": "form-select", "data-focus-key": id });
    Object.keys(choices).forEach(function (key) {
      var option = el("option", { value: key }, choices[key]);
      if (key === value) { option.selected = true; }
      node.appendChild(option);
    });
    return node;
  }

  function createForm(ctx) {
    // until the chair types, the form proposes the current item's title (it follows the item)
    var values = draft || { title: currentItemTitle(ctx), kind: "yesno", electorate: M.defaultElectorate, options: "" };
    var form = el("form", { "class": "row g-2 align-items-end mt-3", "data-create-poll": "", novalidate: "" });
    var title = el("input", { type: "text", id: "new-poll-title", "class": "form-control", maxlength: "300", required: "", "data-focus-key": "new-poll-title" });
    title.value = values.title;
    var kind = select("new-poll-kind", M.kinds, values.kind);
    var electorate = select("new-poll-electorate", M.electorates, values.electorate);
    var options = el("textarea", { id: "new-poll-options", "class": "form-control", rows: "4", "aria-describedby": "new-poll-options-help", "data-focus-key": "new-poll-options" });
    options.value = values.options;
    form.appendChild(labelled("new-poll-title", M.newTitle, title, "col-12"));
    form.appendChild(labelled("new-poll-kind", M.kind, kind, "col-md-6"));
    form.appendChild(labelled("new-poll-electorate", M.electorate, electorate, "col-md-6"));
    var optionsCol = labelled("new-poll-options", M.options, options, "col-12");
    optionsCol.appendChild(el("p", { id: "new-poll-options-help", "class": "form-text" }, M.optionsHelp));
    optionsCol.hidden = values.kind === "yesno";
    form.appendChild(optionsCol);
    var subject = currentItemSubject(ctx);
    var subjectNote = el("p", { "class": "col-12 form-text", "data-poll-subject": subject ? subject.type + ":" + subject.id : "" },
                         subject ? fmt(M.decidesOn, { ref: subject.type + ":" + subject.id }) : "");
    subjectNote.hidden = !subject || values.kind !== "yesno";
    form.appendChild(subjectNote);
    var buttonCol = el("div", { "class": "col-12" });
    var submit = el("button", { type: "submit", "class": "btn btn-primary", "data-focus-key": "new-poll-create" }, M.create);
    buttonCol.appendChild(submit);
    form.appendChild(buttonCol);
    form.addEventListener("input", function () {
      draft = { title: title.value, kind: kind.value, electorate: electorate.value, options: options.value };
      optionsCol.hidden = kind.value === "yesno";
      subjectNote.hidden = !subject || kind.value !== "yesno";
    });
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var body = { title: title.value.trim(), kind: kind.value, electorate: electorate.value, meeting_id: ctx.meetingId };
      if (!body.title) { ctx.feedback(M.needTitle); title.focus(); return; }
      if (subject && body.kind === "yesno") { body.subject = subject; }
      if (body.kind !== "yesno") {
        body.options = options.value.split("\n").map(function (s) { return s.trim(); }).filter(Boolean);
        if (body.options.length < 2) { ctx.feedback(M.needOptions); options.focus(); return; }
      }
      submit.disabled = true;
      ctx.api("POST", "/api/v1/polls", body).then(function (res) {
        if (!res.ok) { return res; }
        return ctx.api("POST", "/api/v1/polls/" + res.data.id + "/open");
      }).then(function (res) {
        submit.disabled = false;
        if (res.ok) { draft = null; }
        ctx.feedback(res.ok ? "" : res.error.message);
      });
    });
    return form;
  }

  function currentItem(ctx) {
    var s = ctx.snapshot();
    return (s.agenda || []).filter(function (i) { return i.id === s.current_item_id; })[0];
  }

  function currentItemTitle(ctx) {
    var item = currentItem(ctx);
    return item ? item.title : "";
  }

  /* The current item's reference ("clause:7") when a yes/no vote can decide on it. */
  function currentItemSubject(ctx) {
    var item = currentItem(ctx);
    var parts = item && item.ref ? item.ref.split(":") : [];
    if (parts.length !== 2 || (M.subjectTypes || []).indexOf(parts[0]) < 0) { return null; }
    return { type: parts[0], id: parseInt(parts[1], 10) };
  }

  /* --- drawing -------------------------------------------------------------------------- */

  function pollCard(poll, ctx) {
    var card = el("article", { "class": "poll-live mb-3", "data-poll-id": String(poll.id), "data-poll-state": poll.state, "data-poll-kind": poll.kind });
    card.appendChild(el("h3", { "class": ctx.view === "projector" ? "display-6" : "h5" }, poll.title));
    card.appendChild(el("p", { "class": "fw-semibold mb-1", "data-poll-status": "" }, M.states[poll.state] || poll.state));
    if (poll.state === "open") {
      card.appendChild(el("p", { "data-poll-progress": "" }, progressText(poll)));
      if (poll.hide_tally) { card.appendChild(el("p", { "class": "small" }, M.hidden)); }
      else if (poll.counts && poll.kind !== "ranking") { card.appendChild(countsList(poll, poll.counts)); }
      var viewer = poll.viewer || {};
      if (ctx.view === "participant") {
        if (receipts[poll.id]) {
          card.appendChild(el("p", { "class": "alert alert-success", "data-poll-receipt": "" }, fmt(M.receipt, { receipt: receipts[poll.id] })));
        } else if (viewer.has_voted) {
          card.appendChild(el("p", { "class": "alert alert-info" }, M.already));
        } else if (viewer.can_vote) {
          card.appendChild(ballotControls(poll));
        }
      }
    } else if (poll.state === "closed" && poll.result) {
      card.appendChild(el("p", { "class": "fs-4 fw-bold", "data-poll-outcome": "" }, outcome(poll)));
      if (poll.kind === "ranking") { card.appendChild(rankingResult(poll)); }
      else { card.appendChild(countsList(poll, poll.result.counts)); }
    }
    if (ctx.canRun && ctx.view === "console" && poll.state === "open") { card.appendChild(closeButton(poll)); }
    return card;
  }

  /** Redraw the region; the focus stays on the control that had it (by its data-focus-key). */
  function draw(focusKey) {
    var ctx = ctxRef;
    if (!ctx || !ctx.body) { return; }
    var active = document.activeElement;
    var key = focusKey || (active && ctx.body.contains(active) ? active.getAttribute("data-focus-key") : null);
    var list = Object.keys(polls).map(function (id) { return polls[id]; })
      .filter(function (p) { return p.state !== "draft"; });
    ctx.body.querySelectorAll("[data-poll-id], [data-create-poll]").forEach(function (node) { node.remove(); });
    if (ctx.empty) { ctx.empty.hidden = list.length > 0; }
    // the open one first, then the most recent results (the projector shows the latest only)
    list.sort(function (a, b) { return (a.state === "open" ? 0 : 1) - (b.state === "open" ? 0 : 1) || b.id - a.id; });
    (ctx.view === "projector" ? list.slice(0, 1) : list.slice(0, 5)).forEach(function (poll) { ctx.body.appendChild(pollCard(poll, ctx)); });
    if (ctx.canRun && ctx.view === "console" && !list.some(function (p) { return p.state === "open"; })) {
      ctx.body.appendChild(createForm(ctx));
    }
    if (key) {
      var target = ctx.body.querySelector("[data-focus-key='" + key + "']");
      if (target) { target.focus(); }
    }
  }

  /** A tally changes only the progress line and the counts: no redraw, so nothing under the voter's hands moves. */
  function drawProgress(poll) {
    var card = ctxRef && ctxRef.body && ctxRef.body.querySelector("[data-poll-id='" + poll.id + "']");
    if (!card) { draw(); return; }
    var progress = card.querySelector("[data-poll-progress]");
    if (progress) { progress.textContent = progressText(poll); }
    var counts = card.querySelector("[data-poll-counts]");
    if (counts && poll.counts) { counts.replaceWith(countsList(poll, poll.counts)); }
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

  function bind(ctx) {
    ctxRef = ctx;
    M = (ctx.messages && ctx.messages.votes) || M;
  }

  window.TavoloMeeting.registerPart("polls", {
    onSnapshot: function (snapshot, ctx) {
      bind(ctx);
      polls = {};
      (snapshot.polls || []).forEach(function (p) { polls[p.id] = p; });
      draw();
    },
    events: {
      // the new-vote form follows the current item (its title, and the subject a yes/no decides on)
      current_item_changed: function (payload, ctx) { bind(ctx); draw(); },
      agenda_changed: function (payload, ctx) { bind(ctx); draw(); },
      poll_opened: function (payload, ctx) {
        bind(ctx);
        refresh(payload.poll_id, function (poll) { ctx.announce(fmt(M.announceOpen, { title: poll.title })); });
      },
      tally_updated: function (payload, ctx) {
        bind(ctx);
        var poll = polls[payload.poll_id];
        if (!poll) { refresh(payload.poll_id); return; }
        poll.voted = payload.voted;
        poll.entitled = payload.entitled;
        if (payload.counts) { poll.counts = payload.counts; }
        drawProgress(poll);
      },
      poll_closed: function (payload, ctx) {
        bind(ctx);
        refresh(payload.poll_id, function (poll) {
          ctx.announce(fmt(M.announceClosed, { title: poll.title, outcome: outcome(poll) }));
        });
      }
    }
  });
})();
