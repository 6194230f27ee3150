/*
 * The pact page follows its live topic (pact:<id>): each endorsement_changed updates the matrix
 * cell, the clause's counts and its conflict mark, and a polite live region says what changed.
 * Rows of organizations that had no position yet are added. No inline scripts (CSP), no innerHTML.
 */
(function () {
  "use strict";
  var root = document.getElementById("pact-live");
  if (!root || !window.Tavolo) { return; }
  var pactId = parseInt(root.dataset.pactId, 10);
  var L = JSON.parse(root.dataset.labels);
  var status = root.querySelector("[data-pact-live-status]");
  var announcer = root.querySelector("[data-pact-announce]");
  var table = document.querySelector("[data-matrix]");

  /** "{org}, articolo {n}: {position}" with {org: "CGIL", ...}. */
  function fmt(template, params) {
    return String(template).replace(/\{(\w+)\}/g, function (_m, key) { return params[key] === undefined ? "" : String(params[key]); });
  }

  function fillCell(cell, position, note) {
    while (cell.firstChild) { cell.removeChild(cell.firstChild); }
    cell.appendChild(document.createTextNode(L.positions[position] || position));
    if (note) {
      var small = document.createElement("span");
      small.className = "d-block small text-muted";
      small.textContent = note;
      cell.appendChild(small);
    }
  }

  /** A row for an organization that takes its first position: one empty cell per clause column. */
  function addRow(orgId, name) {
    var row = document.createElement("tr");
    row.dataset.orgRow = String(orgId);
    var head = document.createElement("th");
    head.scope = "row";
    head.textContent = name;
    row.appendChild(head);
    table.querySelectorAll("[data-clause-col]").forEach(function (col) {
      var cell = document.createElement("td");
      cell.dataset.cell = col.dataset.clauseCol + "-" + orgId;
      var dash = document.createElement("span");
      dash.className = "text-muted";
      dash.textContent = "–";
      cell.appendChild(dash);
      row.appendChild(cell);
    });
    table.querySelector("tbody").appendChild(row);
    return row;
  }

  function onEndorsement(p) {
    if (!p || p.pact_id !== pactId || !table) { return; }
    var cell = table.querySelector("[data-cell='" + p.clause_id + "-" + p.organization_id + "']");
    if (!cell) {
      addRow(p.organization_id, p.organization_name);
      cell = table.querySelector("[data-cell='" + p.clause_id + "-" + p.organization_id + "']");
    }
    if (cell) { fillCell(cell, p.position, p.note); }
    var counts = p.counts || {};
    var conflict = counts.oppose > 0 && (counts.endorse + counts.reservation) > 0;
    var summary = document.querySelector("[data-clause-summary='" + p.clause_id + "']");
    if (summary) {
      Object.keys(counts).forEach(function (key) {
        var slot = summary.querySelector("[data-count='" + key + "']");
        if (slot) { slot.textContent = String(counts[key]); }
      });
      var mark = summary.querySelector("[data-conflict]");
      if (mark) { mark.hidden = !conflict; }
    }
    var foot = table.querySelector("[data-conflict-cell='" + p.clause_id + "']");
    if (foot) { foot.textContent = conflict ? "⚠ " + L.conflictShort : L.noConflict; }
    announcer.textContent = fmt(L.changed, { org: p.organization_name, n: p.clause_number, position: L.positions[p.position] || p.position });
  }

  window.Tavolo.live({
    topics: ["pact:" + pactId],
    on: { endorsement_changed: onEndorsement },
    onStatus: function (state) {
      if (status) {
        status.dataset.state = state;
        status.textContent = state === "connected" ? L.liveOn : L.liveOff;
      }
    }
  });
})();
