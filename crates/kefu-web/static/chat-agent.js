// kefu chat console, the agent's side (/chat): availability, the waiting / mine / colleagues' /
// recently ended chats as the server sends them, and the open conversation, over one WebSocket
// with reconnects. All visitor text goes in through textContent. No build step.
(function () {
  "use strict";

  var PING_MS = 20000;
  var MAX_BACKOFF_MS = 15000;
  var PRESENCE_WAIT_MS = 5000;
  var LISTS = ["waiting", "mine", "others", "recent"];

  var root = document.getElementById("chat-console");
  if (!root) return;
  var wsPath = root.getAttribute("data-ws-path") || "/chat/agent/ws";
  var locale = root.getAttribute("data-locale") === "en" ? "en" : "zh-CN";
  var tz = root.getAttribute("data-tz") || undefined;

  function $(sel, el) { return (el || root).querySelector(sel); }
  function $$(sel, el) { return Array.prototype.slice.call((el || root).querySelectorAll(sel)); }
  function msg(key) {
    var el = root.querySelector('[data-msg="' + key + '"]');
    return el ? el.textContent : "";
  }

  var availableBox = $("[data-testid=chat-available]");
  var agentsEl = $("[data-testid=chat-agents-available]");
  var offlineEl = $("[data-offline]");
  var paneEmpty = $("[data-pane-empty]");
  var paneBody = $("[data-pane-body]");
  var logEl = $("[data-testid=chat-agent-log]");
  var readonlyEl = $("[data-readonly]");
  var paneAcceptRow = $("[data-pane-accept-row]");
  var replyForm = $("[data-reply]");
  var replyBox = $("[data-testid=chat-reply]");
  var sendBtn = $("[data-testid=chat-reply-send]");
  var endBtn = $("[data-testid=chat-agent-end]");
  var resolvedBox = $("[data-testid=chat-resolved]");
  var listEls = {};
  var emptyEls = {};
  var countEls = {};
  LISTS.forEach(function (name) {
    listEls[name] = $('[data-list="' + name + '"]');
    emptyEls[name] = $('[data-empty="' + name + '"]');
    countEls[name] = $('[data-count="' + name + '"]');
  });
  var baseTitle = document.title;

  // ---- times in the agent's time zone ----

  function formatter(opts) {
    try {
      return new Intl.DateTimeFormat(locale, Object.assign({ timeZone: tz }, opts));
    } catch (e) {
      return new Intl.DateTimeFormat(locale, opts);
    }
  }
  var fmtDay = formatter({ year: "numeric", month: "2-digit", day: "2-digit" });
  var fmtTime = formatter({ hour: "2-digit", minute: "2-digit", hour12: false });
  var fmtFull = formatter({ month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hour12: false });

  /** `14:05` today, `11-23 14:05` on another day; empty for no time. */
  function when(iso) {
    if (!iso) return "";
    var d = new Date(iso);
    if (isNaN(d.getTime())) return "";
    return fmtDay.format(d) === fmtDay.format(new Date()) ? fmtTime.format(d) : fmtFull.format(d);
  }

  // ---- state ----

  var lists = { waiting: [], mine: [], others: [], recent: [] };
  var selectedId = null;
  var selected = null;        // the open chat as last listed
  var selectedList = null;    // which list it is in now (null: in none)
  var lastSeq = 0;
  var shownSeqs = {};
  var drafts = {};            // unsent replies by chat
  var focusReplyFor = null;   // accepted chat whose reply box gets the focus once it is ours

  var socket = null;
  var ready = false;          // the first console frame of this connection arrived
  var attempt = 0;
  var reconnectTimer = null;
  var pingTimer = null;
  var leaving = false;
  var pendingPresence = null;  // availability sent, not yet confirmed by a console frame
  var pendingTimer = null;
  var serverAvailable = false;

  function live() { return ready && socket !== null && socket.readyState === WebSocket.OPEN; }

  function send(frame) {
    if (!live()) return false;
    socket.send(JSON.stringify(frame));
    return true;
  }

  // ---- flash messages ----

  function flash(text) {
    var box = document.getElementById("flash") || root;
    var d = document.createElement("div");
    d.className = "flash error";
    d.setAttribute("role", "alert");
    d.setAttribute("data-testid", "chat-flash");
    d.textContent = text;
    box.appendChild(d);
    setTimeout(function () { if (d.parentNode) d.parentNode.removeChild(d); }, 8000);
  }

  function errorText(f) {
    switch (f.code) {
      case "chat_taken": return msg("err_chat_taken");
      case "chat_ended": return msg("err_chat_ended");
      case "forbidden": return msg("err_forbidden");
      case "not_found": return msg("err_not_found");
      case "invalid": return msg("err_invalid");
      case "internal": return msg("err_generic");
      default: return f.detail || msg("err_generic");
    }
  }

  // ---- lists ----

  function findSession(id) {
    for (var i = 0; i < LISTS.length; i++) {
      var l = lists[LISTS[i]];
      for (var j = 0; j < l.length; j++) {
        if (l[j].id === id) return { s: l[j], list: LISTS[i] };
      }
    }
    return null;
  }

  function endedBy(s) {
    return s.ended_by ? msg("ended_by_" + s.ended_by) : "";
  }

  function itemFor(name, s) {
    var li = document.createElement("li");
    li.className = "chat-item";
    li.setAttribute("data-id", s.id);
    li.setAttribute("data-status", s.status);
    var open = document.createElement("button");
    open.type = "button";
    open.className = "chat-open";
    open.setAttribute("data-role", "open");
    if (s.id === selectedId) {
      li.classList.add("chat-selected");
      open.setAttribute("aria-current", "true");
    }
    var who = document.createElement("span");
    who.className = "chat-item-name";
    who.textContent = s.visitor_name;
    open.appendChild(who);
    var meta = document.createElement("span");
    meta.className = "chat-item-meta";
    var parts = [];
    if (name === "recent") {
      parts.push(when(s.ended_at));
      if (endedBy(s)) parts.push(endedBy(s));
    } else {
      parts.push(when(s.created_at));
      if (name === "others" && s.agent_name) parts.push(s.agent_name);
    }
    meta.textContent = parts.filter(Boolean).join(" · ");
    open.appendChild(meta);
    li.appendChild(open);
    if (name === "waiting") {
      var accept = document.createElement("button");
      accept.type = "button";
      accept.className = "primary";
      accept.setAttribute("data-role", "accept");
      accept.setAttribute("data-testid", "chat-accept");
      accept.textContent = msg("accept");
      accept.disabled = !live();
      li.appendChild(accept);
    }
    if (name === "recent" && s.ticket_id && s.ticket_number) {
      var a = document.createElement("a");
      a.href = "/tickets/" + encodeURIComponent(s.ticket_id);
      a.setAttribute("data-role", "ticket");
      a.textContent = s.ticket_number;
      li.appendChild(a);
    }
    return li;
  }

  function renderLists() {
    // Rebuilding the lists must not throw the keyboard focus away.
    var active = document.activeElement;
    var keep = null;
    if (active && root.contains(active) && active.closest) {
      var item = active.closest("[data-id]");
      var list = active.closest("[data-list]");
      if (item && list) {
        keep = { list: list.getAttribute("data-list"), id: item.getAttribute("data-id"), role: active.getAttribute("data-role") };
      }
    }
    LISTS.forEach(function (name) {
      var ul = listEls[name];
      ul.textContent = "";
      lists[name].forEach(function (s) { ul.appendChild(itemFor(name, s)); });
      emptyEls[name].hidden = lists[name].length > 0;
      if (countEls[name]) countEls[name].textContent = lists[name].length ? "(" + lists[name].length + ")" : "";
    });
    if (keep) {
      var li = $('[data-list="' + keep.list + '"] [data-id="' + keep.id + '"]');
      var target = li && (li.querySelector('[data-role="' + keep.role + '"]') || li.querySelector("[data-role=open]"));
      if (target && !target.disabled) target.focus();
    }
  }

  function updateTitle() {
    var n = lists.waiting.length;
    document.title = (n > 0 ? "(" + n + ") " : "") + baseTitle;
  }

  // ---- the open chat ----

  function field(name) { return $('[data-field="' + name + '"]'); }

  function renderPane() {
    if (!selectedId) {
      paneEmpty.hidden = false;
      paneBody.hidden = true;
      return;
    }
    var found = findSession(selectedId);
    if (found) {
      selected = found.s;
      selectedList = found.list;
    } else {
      selectedList = null; // ended by a colleague, or no longer listed: read only
    }
    var s = selected;
    paneEmpty.hidden = true;
    paneBody.hidden = false;
    field("visitor_name").textContent = s ? s.visitor_name : "";
    field("status").textContent = s ? msg("state_" + s.status) : "";
    field("status").className = "status chat-state-" + (s ? s.status : "");
    field("visitor_email").textContent = (s && s.visitor_email) || "—";
    field("visitor_phone").textContent = (s && s.visitor_phone) || "—";
    field("page_url").textContent = (s && s.page_url) || "—";
    field("agent_name").textContent = (s && s.agent_name) || "—";
    field("created_at").textContent = s ? when(s.created_at) : "";
    var ticket = field("ticket");
    var hasTicket = !!(s && s.ticket_id && s.ticket_number);
    $$("[data-ticket-row]").forEach(function (el) { el.hidden = !hasTicket; });
    if (hasTicket) {
      ticket.href = "/tickets/" + encodeURIComponent(s.ticket_id);
      ticket.textContent = s.ticket_number;
    }
    var mine = selectedList === "mine";
    var waiting = selectedList === "waiting";
    replyForm.hidden = !mine;
    readonlyEl.hidden = mine || waiting;
    paneAcceptRow.hidden = !waiting;
    updateControls();
    if (mine && focusReplyFor === selectedId) {
      focusReplyFor = null;
      replyBox.focus();
    }
  }

  function resetLog() {
    logEl.textContent = "";
    shownSeqs = {};
    lastSeq = 0;
  }

  function lineFor(m) {
    var li = document.createElement("li");
    var sender = m.sender === "visitor" || m.sender === "agent" ? m.sender : "system";
    li.className = "chat-line chat-line-" + sender;
    li.setAttribute("data-seq", String(m.seq));
    li.setAttribute("data-sender", sender);
    if (sender !== "system" && m.name) {
      var who = document.createElement("span");
      who.className = "chat-who";
      who.textContent = m.name;
      li.appendChild(who);
    }
    var body = document.createElement("div");
    body.className = "chat-bubble";
    body.textContent = m.body;
    li.appendChild(body);
    var t = when(m.at);
    if (t) {
      var time = document.createElement("time");
      time.className = "chat-time";
      time.dateTime = m.at;
      time.textContent = t;
      li.appendChild(time);
    }
    return li;
  }

  /** Appends lines in seq order, skipping any already shown. */
  function addMessages(list) {
    if (!list || !list.length) return;
    var nearBottom = logEl.scrollHeight - logEl.scrollTop - logEl.clientHeight < 40;
    list.slice().sort(function (a, b) { return a.seq - b.seq; }).forEach(function (m) {
      var seq = Number(m.seq);
      if (!isFinite(seq) || shownSeqs[seq]) return;
      shownSeqs[seq] = true;
      var li = lineFor(m);
      if (seq > lastSeq) {
        logEl.appendChild(li);
        lastSeq = seq;
      } else {
        var before = null;
        $$("[data-seq]", logEl).some(function (el) {
          if (Number(el.getAttribute("data-seq")) > seq) { before = el; return true; }
          return false;
        });
        logEl.insertBefore(li, before);
      }
    });
    if (nearBottom || list.some(function (m) { return m.sender === "agent"; })) logEl.scrollTop = logEl.scrollHeight;
  }

  function openChat(id) {
    if (id !== selectedId) {
      if (selectedId) drafts[selectedId] = replyBox.value;
      selectedId = id;
      selected = null;
      resetLog();
      resolvedBox.checked = false;
      replyBox.value = drafts[id] || "";
      $$(".chat-selected").forEach(function (el) { el.classList.remove("chat-selected"); });
      $$("[aria-current]", root).forEach(function (el) { el.removeAttribute("aria-current"); });
      $$('[data-id="' + id + '"]').forEach(function (li) {
        li.classList.add("chat-selected");
        var b = li.querySelector("[data-role=open]");
        if (b) b.setAttribute("aria-current", "true");
      });
    }
    send({ type: "open", id: id, after: lastSeq });
    renderPane();
  }

  function accept(id) {
    if (!send({ type: "accept", id: id })) return;
    focusReplyFor = id;
    openChat(id);
  }

  function say() {
    var body = replyBox.value;
    if (!body.trim() || !selectedId || selectedList !== "mine") return;
    if (!send({ type: "say", id: selectedId, body: body })) return; // kept until we are back
    replyBox.value = "";
    drafts[selectedId] = "";
    replyBox.focus();
  }

  // ---- controls and connection ----

  function updateControls() {
    var on = live();
    offlineEl.hidden = on;
    availableBox.disabled = !on || pendingPresence !== null;
    sendBtn.disabled = !on;
    endBtn.disabled = !on;
    $$("[data-role=accept], [data-pane-accept]").forEach(function (b) { b.disabled = !on; });
  }

  function clearPending() {
    pendingPresence = null;
    clearTimeout(pendingTimer);
    pendingTimer = null;
  }

  function onConsole(f) {
    LISTS.forEach(function (name) { lists[name] = Array.isArray(f[name]) ? f[name] : []; });
    serverAvailable = !!f.available;
    if (pendingPresence === null || pendingPresence === serverAvailable) {
      clearPending();
      availableBox.checked = serverAvailable;
    }
    agentsEl.textContent = String(f.agents_available === undefined ? "—" : f.agents_available);
    renderLists();
    renderPane();
    updateControls();
    updateTitle();
  }

  function onFrame(f) {
    if (f.type === "console") {
      if (!ready) {
        ready = true;
        attempt = 0;
        offlineEl.textContent = msg("reconnecting");
        // Back after a drop: pick the open chat up where it left off.
        if (selectedId) send({ type: "open", id: selectedId, after: lastSeq });
      }
      onConsole(f);
    } else if (f.type === "messages") {
      if (f.id === selectedId) addMessages(f.messages);
    } else if (f.type === "error") {
      flash(errorText(f));
      if (f.code === "not_found" && selectedId && !findSession(selectedId)) {
        selectedId = null;
        selected = null;
        resetLog();
      }
      renderLists();
      renderPane();
    }
  }

  function stopPing() {
    if (pingTimer) { clearInterval(pingTimer); pingTimer = null; }
  }

  function disconnect() {
    clearTimeout(reconnectTimer);
    reconnectTimer = null;
    stopPing();
    var ws = socket;
    socket = null;
    ready = false;
    if (ws) {
      try { ws.close(1000); } catch (e) { /* already closing */ }
    }
  }

  function scheduleReconnect() {
    if (leaving || reconnectTimer) return;
    var delay = Math.min(MAX_BACKOFF_MS, 1000 * Math.pow(2, attempt));
    attempt += 1;
    reconnectTimer = setTimeout(function () {
      reconnectTimer = null;
      connect();
    }, delay);
  }

  function connect() {
    if (socket || leaving) return;
    var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + wsPath;
    var ws;
    try {
      ws = new WebSocket(url);
    } catch (e) {
      scheduleReconnect();
      return;
    }
    socket = ws;
    ready = false;
    ws.onopen = function () {
      if (ws !== socket) return;
      stopPing();
      pingTimer = setInterval(function () { send({ type: "ping" }); }, PING_MS);
    };
    ws.onmessage = function (ev) {
      if (ws !== socket) return;
      var f;
      try { f = JSON.parse(ev.data); } catch (e) { return; }
      if (f && typeof f === "object") onFrame(f);
    };
    ws.onclose = function () {
      if (ws !== socket) return; // dropped on purpose
      socket = null;
      ready = false;
      stopPing();
      updateControls();
      scheduleReconnect();
    };
    ws.onerror = function () { /* onclose follows */ };
    updateControls();
  }

  // ---- events ----

  availableBox.addEventListener("change", function () {
    var want = availableBox.checked;
    if (!send({ type: "presence", available: want })) {
      availableBox.checked = !want;
      return;
    }
    pendingPresence = want;
    clearTimeout(pendingTimer);
    // No confirmation in time: show what the server last said.
    pendingTimer = setTimeout(function () {
      clearPending();
      availableBox.checked = serverAvailable;
      updateControls();
    }, PRESENCE_WAIT_MS);
    updateControls();
  });

  root.addEventListener("click", function (e) {
    var t = e.target.closest ? e.target : null;
    if (!t) return;
    var paneAccept = t.closest("[data-pane-accept]");
    if (paneAccept) {
      if (selectedId) accept(selectedId);
      return;
    }
    var btn = t.closest("[data-role=accept], [data-role=open]");
    if (!btn || !root.contains(btn)) return;
    var li = btn.closest("[data-id]");
    if (!li) return;
    var id = li.getAttribute("data-id");
    if (btn.getAttribute("data-role") === "accept") {
      btn.disabled = true;
      accept(id);
    } else {
      openChat(id);
    }
  });

  replyForm.addEventListener("submit", function (e) {
    e.preventDefault();
    say();
  });

  replyBox.addEventListener("keydown", function (e) {
    // Enter sends, Shift+Enter is a new line; never while an input method is composing.
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      say();
    }
  });

  endBtn.addEventListener("click", function () {
    if (!selectedId) return;
    if (send({ type: "end", id: selectedId, resolved: resolvedBox.checked })) endBtn.disabled = true;
  });

  window.addEventListener("pagehide", function () {
    leaving = true;
    disconnect();
  });
  window.addEventListener("pageshow", function (e) {
    if (!e.persisted) return;
    leaving = false;
    attempt = 0;
    connect();
  });
  window.addEventListener("online", function () {
    if (!socket) {
      clearTimeout(reconnectTimer);
      reconnectTimer = null;
      attempt = 0;
      connect();
    }
  });

  connect();
})();
