/* Live comments on a deliberated text (a proposal, a pact clause).
 * The comments section names its topic (data-live-topic); the page subscribes to it and inserts
 * comments as they are posted, announcing them in an aria-live region. User text is set with
 * textContent; the comment body arrives as HTML already sanitized by the server (nh3). */
(function () {
  "use strict";
  var section = document.querySelector("[data-live-topic]");
  if (!section || !window.Tavolo) { return; }

  var data = section.dataset;
  var labels = JSON.parse(data.alignmentLabels || "{}");
  var symbols = JSON.parse(data.alignmentSymbols || "{}");
  var list = document.getElementById("comment-list");
  var empty = document.getElementById("comments-empty");
  var announcer = document.getElementById("comments-live");
  var liveStatus = document.getElementById("comments-live-status");

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function announce(message) {
    // emptied first so that the same message twice is read twice
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = message; }, 50);
  }

  function alignmentBadge(value) {
    var badge = el("span", "badge alignment alignment-" + value);
    var symbol = el("span", "", symbols[value] || "");
    symbol.setAttribute("aria-hidden", "true");
    badge.appendChild(symbol);
    badge.appendChild(document.createTextNode(" " + labels[value]));
    return badge;
  }

  function commentItem(comment) {
    var item = el("li", "comment comment-new");
    item.id = "comment-" + comment.id;
    item.dataset.depth = String(comment.depth);
    var article = el("article", "comment-card");
    var meta = el("p", "comment-meta mb-1");
    meta.id = item.id + "-meta";
    article.setAttribute("aria-labelledby", meta.id);
    meta.appendChild(el("strong", "", comment.author.name));
    if (comment.organization) { meta.appendChild(document.createTextNode(" (" + comment.organization.name + ")")); }
    meta.appendChild(document.createTextNode(" · "));
    var time = el("time", "", new Date(comment.created_at).toLocaleString(data.locale || "it"));
    time.setAttribute("datetime", comment.created_at);
    meta.appendChild(time);
    if (comment.alignment && labels[comment.alignment]) {
      meta.appendChild(document.createTextNode(" "));
      meta.appendChild(alignmentBadge(comment.alignment));
    }
    article.appendChild(meta);
    var body = el("div", "comment-body");
    body.innerHTML = comment.body_html;  // sanitized on the server; never the raw text
    article.appendChild(body);
    item.appendChild(article);
    item.appendChild(el("ul", "comment-replies"));
    return item;
  }

  function repliesOf(parentId) {
    var parent = parentId ? document.getElementById("comment-" + parentId) : null;
    if (!parent) { return list; }
    var replies = parent.querySelector(":scope > .comment-replies");
    if (!replies) { replies = el("ul", "comment-replies"); parent.appendChild(replies); }
    return replies;
  }

  // a room may carry several subjects (every clause of a pact): keep to this page's own
  function ofThisSubject(payload) {
    var subject = payload && payload.subject;
    return !subject || (subject.type === data.subjectType && String(subject.id) === data.subjectId);
  }

  function onCommentAdded(payload) {
    var comment = payload && payload.comment;
    if (!comment || !ofThisSubject(payload) || document.getElementById("comment-" + comment.id)) { return; }
    repliesOf(comment.parent_id).appendChild(commentItem(comment));
    if (empty) { empty.hidden = true; }
    announce(data.announce.replace("{name}", comment.author.name));
  }

  function onCommentHidden(payload) {
    var item = payload && document.getElementById("comment-" + payload.comment_id);
    var body = item && item.querySelector(":scope > article .comment-body");
    if (!body) { return; }
    var note = el("p", "comment-body fst-italic", data.hiddenLabel + (payload.reason ? ": " + payload.reason : ""));
    body.replaceWith(note);
  }

  window.Tavolo.live({
    topics: [data.liveTopic],
    on: { comment_added: onCommentAdded, comment_hidden: onCommentHidden },
    onStatus: function (state) {
      if (liveStatus) { liveStatus.textContent = state === "connected" ? data.liveOn : data.liveOff; }
    }
  });
})();
