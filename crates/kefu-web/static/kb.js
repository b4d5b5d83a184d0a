// Knowledge base in the page: "was this helpful?" votes, "this solved my problem", the
// self-service bot box, articles suggested while a customer writes a portal ticket (with
// the deflections they opened sent along if they file anyway), and one-click insert of a
// suggested answer into an agent's reply.
(function () {
  "use strict";
  var DEFLECTIONS = "kefu_deflections";

  function csrf() {
    var m = document.querySelector("[data-csrf]");
    return m ? m.getAttribute("data-csrf") : "";
  }

  function post(url, body) {
    var headers = { "Content-Type": "application/json" };
    var token = csrf();
    if (token) headers["X-CSRF-Token"] = token;
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: headers,
      body: JSON.stringify(body || {}),
    }).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.status === 204 ? null : r.json();
    });
  }

  function remember(id) {
    try {
      var list = JSON.parse(localStorage.getItem(DEFLECTIONS) || "[]");
      if (list.indexOf(id) < 0) list.push(id);
      localStorage.setItem(DEFLECTIONS, JSON.stringify(list.slice(-20)));
    } catch (e) { /* storage blocked: the deflection still counts as read */ }
  }

  function forget(id) {
    try {
      var list = JSON.parse(localStorage.getItem(DEFLECTIONS) || "[]");
      localStorage.setItem(DEFLECTIONS, JSON.stringify(list.filter(function (x) { return x !== id; })));
    } catch (e) { /* ignore */ }
  }

  function text(el, s) { el.textContent = s; return el; }

  // Votes.
  var vote = document.querySelector(".vote[data-article]");
  if (vote) {
    vote.addEventListener("click", function (ev) {
      var b = ev.target.closest("button[data-helpful]");
      if (!b) return;
      post("/api/v1/kb/articles/" + vote.getAttribute("data-article") + "/feedback",
        { helpful: b.getAttribute("data-helpful") === "true" })
        .then(function (r) {
          text(vote.querySelector(".yes"), String(r.helpful_yes));
          text(vote.querySelector(".no"), String(r.helpful_no));
          vote.querySelector(".vote-thanks").hidden = false;
        });
    });
  }

  // Deflection: opened from a suggestion.
  var defl = document.querySelector("[data-deflection]");
  if (defl) {
    var did = defl.getAttribute("data-deflection");
    remember(did);
    var solved = document.getElementById("solved");
    solved.addEventListener("click", function () {
      post("/api/v1/kb/deflections/" + did + "/solved").then(function () {
        forget(did);
        solved.disabled = true;
        defl.querySelector(".solved-thanks").hidden = false;
      });
    });
  }

  // The bot box.
  var botForm = document.getElementById("bot-form");
  if (botForm) {
    var out = document.getElementById("bot-answer");
    var answerId = null;
    botForm.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var q = botForm.elements.question.value.trim();
      if (!q) return;
      post("/api/v1/bot/ask", {
        question: q,
        locale: botForm.getAttribute("data-locale"),
        channel: botForm.getAttribute("data-channel"),
      }).then(function (r) {
        answerId = r.answer_id;
        out.hidden = false;
        var p = out.querySelector(".bot-text");
        p.textContent = "";
        r.text.split("\n").forEach(function (line, i) {
          if (i) p.appendChild(document.createElement("br"));
          p.appendChild(document.createTextNode(line));
        });
        out.querySelector(".bot-actions").hidden = r.decision !== "answer";
        out.querySelector(".bot-human").hidden = r.decision === "answer";
        var more = out.querySelector(".bot-more");
        more.textContent = "";
        (r.article ? [r.article] : []).concat(r.more).forEach(function (a) {
          var link = document.createElement("a");
          link.href = "/help/articles/" + a.id + "?from=bot&q=" + encodeURIComponent(q);
          link.textContent = a.title;
          more.appendChild(link);
          more.appendChild(document.createTextNode(" "));
        });
        out.setAttribute("data-decision", r.decision);
      });
    });
    out.addEventListener("click", function (ev) {
      var b = ev.target.closest("button[data-rate]");
      if (!b || !answerId) return;
      post("/api/v1/bot/answers/" + answerId + "/rating", { helpful: b.getAttribute("data-rate") === "true" })
        .then(function () {
          out.querySelector(".bot-actions").hidden = true;
          if (b.getAttribute("data-rate") === "false") out.querySelector(".bot-human").hidden = false;
        });
    });
  }

  // Portal: suggest articles while the customer writes; send opened deflections along.
  // Delegated, so a form re-rendered after a validation error keeps working.
  var timer = null;
  var last = "";
  function suggest(form) {
    var box = form.querySelector("#kb-suggestions");
    var q = ((form.elements.subject || {}).value || "") + " " + ((form.elements.description || {}).value || "");
    q = q.trim();
    if (!box || q === last) return;
    last = q;
    if (q.length < 2) { box.hidden = true; return; }
    fetch("/api/v1/kb/suggest?q=" + encodeURIComponent(q), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (list) {
        var ul = box.querySelector("ul");
        ul.textContent = "";
        list.forEach(function (a) {
          var li = document.createElement("li");
          var link = document.createElement("a");
          link.href = "/help/articles/" + a.id + "?from=portal&q=" + encodeURIComponent(q);
          link.target = "_blank";
          link.rel = "noopener";
          link.textContent = a.title;
          li.appendChild(link);
          ul.appendChild(li);
        });
        box.hidden = list.length === 0;
      });
  }
  document.addEventListener("input", function (ev) {
    var form = ev.target.closest && ev.target.closest("form[data-kb-suggest]");
    if (!form) return;
    clearTimeout(timer);
    timer = setTimeout(function () { suggest(form); }, 300);
  });
  // Capture phase: the field is filled before htmx reads the form.
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!form.matches || !form.matches("form[data-kb-suggest]")) return;
    var field = form.elements.deflections;
    try { if (field) field.value = localStorage.getItem(DEFLECTIONS) || "[]"; } catch (e) { /* ignore */ }
  }, true);
  document.addEventListener("htmx:afterRequest", function (ev) {
    var elt = ev.detail && ev.detail.elt;
    if (elt && elt.matches && elt.matches("form[data-kb-suggest]") && ev.detail.successful) {
      try { localStorage.removeItem(DEFLECTIONS); } catch (e) { /* ignore */ }
    }
  });

  // Editors: import Markdown files or a zip; every problem is listed by file:line.
  var imp = document.getElementById("kb-import");
  if (imp) {
    imp.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var data = new FormData();
      Array.prototype.forEach.call(imp.elements.files.files, function (f) { data.append("files", f, f.name); });
      var dry = imp.elements.dry_run.checked ? "?dry_run=true" : "";
      var out = imp.querySelector(".import-result");
      fetch("/api/v1/kb/import" + dry, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRF-Token": csrf() },
        body: data,
      }).then(function (r) {
        return r.json().then(function (body) { return { ok: r.ok, body: body }; });
      }).then(function (res) {
        out.hidden = false;
        if (res.ok) {
          out.textContent = JSON.stringify(res.body, null, 2);
        } else {
          out.textContent = (res.body.errors || []).map(function (e) {
            return e.field + " [" + e.code + "] " + e.message;
          }).join("\n") || res.body.detail || res.body.title;
        }
        out.setAttribute("data-ok", String(res.ok));
      });
    });
  }

  // Agent: insert a suggested answer into the reply box.
  document.addEventListener("click", function (ev) {
    var b = ev.target.closest("button[data-insert]");
    if (!b) return;
    var area = document.querySelector("form.reply textarea[name=body], textarea[name=body]");
    if (!area) return;
    var add = b.getAttribute("data-insert");
    area.value = area.value ? area.value.replace(/\s*$/, "") + "\n\n" + add : add;
    area.focus();
  });

  // Editors: upload a file or image to the article, then insert it into the text.
  function fileItem(f, label) {
    var li = document.createElement("li");
    var a = document.createElement("a");
    a.href = f.url;
    a.textContent = f.file_name;
    var b = document.createElement("button");
    b.type = "button";
    b.className = "link";
    b.setAttribute("data-insert-file", f.url);
    b.setAttribute("data-name", f.file_name);
    b.setAttribute("data-image", String(/^image\//.test(f.content_type)));
    b.textContent = label;
    li.appendChild(a);
    li.appendChild(document.createTextNode(" "));
    li.appendChild(b);
    return li;
  }

  var upload = document.getElementById("kb-upload");
  if (upload) {
    upload.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var file = upload.elements.file.files[0];
      var err = upload.querySelector("[data-upload-error]");
      if (!file) return;
      var data = new FormData();
      data.append("file", file, file.name);
      err.hidden = true;
      fetch("/api/v1/kb/articles/" + upload.getAttribute("data-article") + "/files", {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRF-Token": csrf() },
        body: data,
      }).then(function (r) {
        return r.json().then(function (body) { return { ok: r.ok, body: body }; });
      }).then(function (res) {
        if (!res.ok) {
          err.textContent = res.body.detail || res.body.title || "";
          err.hidden = false;
          return;
        }
        document.getElementById("kb-files").appendChild(fileItem(res.body, upload.getAttribute("data-insert-label")));
        upload.reset();
      }, function (e) {
        err.textContent = String(e);
        err.hidden = false;
      });
    });
  }

  document.addEventListener("click", function (ev) {
    var b = ev.target.closest("button[data-insert-file]");
    if (!b) return;
    var area = document.getElementById("kb-body");
    if (!area) return;
    var name = (b.getAttribute("data-name") || "").replace(/[\[\]]/g, "");
    var md = (b.getAttribute("data-image") === "true" ? "!" : "") + "[" + name + "](" + b.getAttribute("data-insert-file") + ")";
    var at = area.selectionStart != null ? area.selectionStart : area.value.length;
    area.value = area.value.slice(0, at) + md + area.value.slice(area.selectionEnd != null ? area.selectionEnd : at);
    area.focus();
    area.selectionStart = area.selectionEnd = at + md.length;
  });
})();
