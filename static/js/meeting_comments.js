/*
 * Comment moderation on the chair's console (see the contract at the top of meetings.js): when the
 * current agenda item refers to a text ("proposal:3"), the console lists its comments, receives new
 * ones live (it follows the text's live topic, again after every resync) and hides one with a public
 * reason through the comments API. Texts and API paths come from the server
 * (ctx.messages.comments, app/deliberation/meeting_page.py). No inline scripts (CSP), no innerHTML.
 */
(function () {
  "use strict";
  if (!window.TavoloMeeting) { return; }

  var M = {};
  var ctxRef = null;
  var section = null;
  var topic = null;       // "proposal:3" followed now, or null
  var comments = [];      // as the comments API gives them

  function fmt(template, params) {
    return String(template || "").replace(/%\((\w+)\)s/g, function (_m, key) { return params[key] === undefined ? "" : String(params[key]); });
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function currentRef() {
    var s = ctxRef.snapshot();
    var item = (s.agenda || []).filter(function (i) { return i.id === s.current_item_id; })[0];
    var ref = item && item.ref;
    var match = /^([a-z_]+):(\d+)$/.exec(ref || "");
    return match && M.apiPaths[match[1]] ? { topic: ref, type: match[1], id: parseInt(match[2], 10) } : null;
  }

  function ensureSection() {
    if (section) { return section; }
    section = el("section", { id: "live-comments", "class": "mt-4", "aria-labelledby": "live-comments-title" });
    section.appendChild(el("h2", { id: "live-comments-title", "class": "h4" }, M.heading));
    section.appendChild(el("p", { "class": "text-muted", "data-comments-empty": "" }));
    section.appendChild(el("ul", { "class": "list-group", "data-comments-list": "" }));
    var after = ctxRef.container || document.getElementById("meeting-live");
    after.parentNode.insertBefore(section, after.nextSibling);
    return section;
  }

  function hideForm(comment) {
    var id = "hide-reason-" + comment.id;
    var form = el("form", { "class": "row g-2 align-items-end mt-1", novalidate: "", "data-hide-comment": String(comment.id) });
    var col = el("div", { "class": "col-sm-8" });
    col.appendChild(el("label", { "class": "form-label small", "for": id }, M.reason));
    var input = el("input", { type: "text", id: id, "class": "form-control form-control-sm", maxlength: "500" });
    col.appendChild(input);
    form.appendChild(col);
    var buttonCol = el("div", { "class": "col-sm-4" });
    var button = el("button", { type: "submit", "class": "btn btn-outline-danger btn-sm" }, M.hide);
    button.appendChild(el("span", { "class": "visually-hidden" }, ": " + (comment.author.name || "")));
    buttonCol.appendChild(button);
    form.appendChild(buttonCol);
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var reason = input.value.trim();
      if (!reason) { ctxRef.feedback(M.needReason); input.focus(); return; }
      button.disabled = true;
      ctxRef.api("POST", "/api/v1/comments/" + comment.id + "/hide", { reason: reason }).then(function (res) {
        button.disabled = false;
        ctxRef.feedback(res.ok ? "" : res.error.message);
        if (res.ok) { ctxRef.announce(M.hiddenDone); replace(res.data); }
      });
    });
    return form;
  }

  function commentRow(comment) {
    var row = el("li", { "class": "list-group-item", "data-comment-id": String(comment.id) });
    var who = comment.author.name + (comment.organization ? " (" + comment.organization.name + ")" : "");
    var head = el("p", { "class": "mb-1 small fw-semibold" }, who);
    if (comment.alignment && M.alignment[comment.alignment]) { head.appendChild(el("span", { "class": "badge bg-secondary ms-2" }, M.alignment[comment.alignment])); }
    row.appendChild(head);
    if (comment.hidden) {
      row.appendChild(el("p", { "class": "mb-0 fst-italic", "data-comment-hidden": "" }, fmt(M.hidden, { reason: comment.hidden_reason || "" })));
    } else {
      row.appendChild(el("p", { "class": "mb-1", "data-comment-body": "" }, comment.body));
      row.appendChild(hideForm(comment));
    }
    return row;
  }

  function draw() {
    var box = ensureSection();
    var list = box.querySelector("[data-comments-list]");
    var empty = box.querySelector("[data-comments-empty]");
    while (list.firstChild) { list.removeChild(list.firstChild); }
    empty.textContent = topic ? M.empty : M.noSubject;
    empty.hidden = !!(topic && comments.length);
    comments.slice().reverse().forEach(function (c) { list.appendChild(commentRow(c)); });  // newest first
  }

  function replace(comment) {
    comments = comments.map(function (c) { return c.id === comment.id ? comment : c; });
    draw();
  }

  /** Follow the current item's text: leave the old topic, join the new one, load its comments. */
  function follow(force) {
    var ref = currentRef();
    var next = ref ? ref.topic : null;
    if (next === topic && !force) { return; }
    if (topic && topic !== next) { ctxRef.emit("unsubscribe", { topic: topic }); }
    topic = next;
    comments = [];
    draw();
    if (!ref) { return; }
    ctxRef.emit("subscribe", { topic: ref.topic });
    ctxRef.api("GET", M.apiPaths[ref.type] + "/" + ref.id + "/comments").then(function (res) {
      if (res.ok && topic === ref.topic) { comments = res.data; draw(); }
    });
  }

  function mine(payload) {
    return topic && payload && payload.subject && payload.subject.type + ":" + payload.subject.id === topic;
  }

  function active(ctx) {
    ctxRef = ctx;
    M = (ctx.messages && ctx.messages.comments) || M;
    return ctx.view === "console" && ctx.canRun;
  }

  window.TavoloMeeting.registerPart("comments", {
    onSnapshot: function (snapshot, ctx) { if (active(ctx)) { follow(true); } },  // a resync lost the rooms
    events: {
      current_item_changed: function (payload, ctx) { if (active(ctx)) { follow(false); } },
      agenda_changed: function (payload, ctx) { if (active(ctx)) { follow(false); } },
      comment_added: function (payload, ctx) {
        if (!active(ctx) || !mine(payload)) { return; }
        if (!comments.some(function (c) { return c.id === payload.comment.id; })) {
          comments.push(payload.comment);
          draw();
          ctx.announce(fmt(M.added, { name: payload.comment.author.name }));
        }
      },
      comment_hidden: function (payload, ctx) {
        if (!active(ctx) || !mine(payload)) { return; }
        comments = comments.map(function (c) {
          return c.id === payload.comment_id ? Object.assign({}, c, { hidden: true, hidden_reason: payload.reason, body: null }) : c;
        });
        draw();
      }
    }
  });
})();
