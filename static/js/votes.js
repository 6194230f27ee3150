/* Tavolo polls page: cast ballots through the API, announce the receipt, follow the live tally.
   Works on top of plain HTML forms (they submit normally without JavaScript). No inline scripts (CSP). */
(function () {
  "use strict";
  var T = window.Tavolo;
  var live = document.getElementById("poll-live");
  if (!T || !live) { return; }
  var pollId = parseInt(live.dataset.pollId, 10);
  var locale = document.body.dataset.locale || "it";
  var decimals = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });

  function fill(template, values) {
    return String(template || "").replace(/\{(\w+)\}/g, function (whole, key) {
      return values[key] === undefined ? whole : values[key];
    });
  }

  /* --- ballots ---------------------------------------------------------------------------- */
  var status = document.getElementById("ballot-status");
  if (status) { status.setAttribute("tabindex", "-1"); }

  function say(text) {
    if (!status) { return; }
    status.textContent = text;
    status.focus();
  }

  function rankingOf(form) {
    var picked = [];
    var seen = {};
    var duplicate = false;
    form.querySelectorAll("select.poll-position").forEach(function (select) {
      if (!select.value) { return; }
      var position = parseInt(select.value, 10);
      if (seen[position]) { duplicate = true; }
      seen[position] = true;
      picked.push({ position: position, id: parseInt(select.name.replace("position-", ""), 10),
                    label: select.dataset.optionLabel });
    });
    picked.sort(function (a, b) { return a.position - b.position; });
    return { items: picked, duplicate: duplicate };
  }

  function ballotOf(form, submitter) {
    var kind = form.dataset.kind;
    var ballot = {};
    if (kind === "yesno") {
      if (!submitter || !submitter.value) { return null; }
      ballot.choice = submitter.value;
    } else if (kind === "choice") {
      var ids = [];
      form.querySelectorAll("input[name=choices]:checked").forEach(function (input) { ids.push(parseInt(input.value, 10)); });
      if (!ids.length) { say(form.dataset.msgEmpty); return null; }
      ballot.choices = ids;
    } else {
      var ranking = rankingOf(form);
      if (ranking.duplicate) { say(form.dataset.msgDuplicate); return null; }
      if (!ranking.items.length) { say(form.dataset.msgEmpty); return null; }
      ballot.ranking = ranking.items.map(function (item) { return item.id; });
    }
    var behalf = form.querySelector("select[name=on_behalf_of]");
    if (behalf && behalf.value) { ballot.on_behalf_of = parseInt(behalf.value, 10); }
    return ballot;
  }

  function afterVote(form) {
    var behalf = form.querySelector("select[name=on_behalf_of]");
    if (behalf && behalf.options.length > 1) {
      behalf.remove(behalf.selectedIndex);  // that organization has voted; the others still can
      form.reset();
      return;
    }
    form.hidden = true;
  }

  document.querySelectorAll("form.poll-ballot").forEach(function (form) {
    var lastButton = null;
    form.querySelectorAll("button[type=submit]").forEach(function (button) {
      button.addEventListener("click", function () { lastButton = button; });
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var ballot = ballotOf(form, event.submitter || lastButton);
      if (!ballot) { return; }
      var buttons = form.querySelectorAll("button");
      buttons.forEach(function (b) { b.disabled = true; });
      T.api("POST", "/api/v1/polls/" + form.dataset.pollId + "/ballots", ballot).then(function (res) {
        buttons.forEach(function (b) { b.disabled = false; });
        if (res.ok) {
          say(fill(form.dataset.msgReceipt, { code: res.data.receipt }));
          afterVote(form);
        } else {
          var message = res.data && res.data.error ? res.data.error.message : "";
          say(form.dataset.msgError + " " + message);
        }
      }, function () {
        buttons.forEach(function (b) { b.disabled = false; });
        say(form.dataset.msgError);
      });
    });
    var preview = document.getElementById("ranking-preview");
    if (form.dataset.kind === "ranking" && preview) {
      var showPreview = function () {
        var ranking = rankingOf(form);
        if (ranking.duplicate) { preview.textContent = form.dataset.msgDuplicate; return; }
        preview.textContent = ranking.items.length
          ? preview.dataset.label + " " + ranking.items.map(function (item, i) { return (i + 1) + ". " + item.label; }).join(", ")
          : preview.dataset.empty;
      };
      form.querySelectorAll("select.poll-position").forEach(function (s) { s.addEventListener("change", showPreview); });
    }
  });

  /* --- live tally ------------------------------------------------------------------------- */
  var turnout = document.getElementById("poll-turnout");
  var tally = document.getElementById("poll-tally");
  var events = document.getElementById("poll-events");
  var pendingTurnout = null;
  var turnoutTimer = null;

  // Screen readers hear the turnout at most every few seconds, however fast ballots arrive.
  function showTurnout(voted, entitled) {
    pendingTurnout = { v: voted, e: entitled };
    if (turnoutTimer) { return; }
    turnoutTimer = window.setTimeout(function () {
      turnoutTimer = null;
      if (turnout && pendingTurnout) { turnout.textContent = fill(turnout.dataset.templateVoted, pendingTurnout); }
    }, 3000);
  }

  function showCounts(counts, total) {
    if (!tally || !counts) { return; }
    tally.querySelectorAll("[data-count-key]").forEach(function (item) {
      var n = counts[item.dataset.countKey] || 0;
      var share = total ? (100 * n / total) : 0;
      item.querySelector(".poll-count").textContent =
        n === 1 ? tally.dataset.voteOne : fill(tally.dataset.voteMany, { n: n });
      item.querySelector(".poll-share").textContent = decimals.format(share) + " %";
      item.querySelector(".progress-bar").style.width = share.toFixed(2) + "%";
    });
  }

  function announce(text) {
    if (!events) { return; }
    events.textContent = "";
    var p = document.createElement("p");
    var link = document.createElement("a");
    link.href = window.location.pathname;
    link.textContent = text;
    p.appendChild(link);
    events.appendChild(p);
  }

  var connection = T.live({
    on: {
      tally_updated: function (data) {
        if (data.poll_id !== pollId) { return; }
        showTurnout(data.voted, data.entitled);
        showCounts(data.counts, data.cast_weight);
      },
      poll_opened: function (data) {
        if (data.poll_id === pollId && live.dataset.state !== "open") { announce(live.dataset.msgOpened); }
      },
      poll_closed: function (data) {
        if (data.poll_id !== pollId) { return; }
        document.querySelectorAll("form.poll-ballot").forEach(function (form) { form.hidden = true; });
        announce(live.dataset.msgClosed);
      }
    }
  });
  if (connection) {
    connection.socket.on("connect", function () { connection.socket.emit("watch_poll", { poll_id: pollId }); });
  }
})();
