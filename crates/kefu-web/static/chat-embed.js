// kefu web chat, the visitor's side (inside the widget's frame at /chat/embed): what is offered
// (live chat or "leave a message"), starting a chat, the conversation over a WebSocket with
// reconnects, and the message form. All text comes from the page (rendered from the catalog);
// all visitor and agent text goes in through textContent. No build step.
(function () {
  "use strict";

  var STORE_KEY = "kefu-chat";
  var PING_MS = 20000;
  var MAX_BACKOFF_MS = 15000;

  var root = document.getElementById("chat");
  if (!root) return;
  var locale = root.getAttribute("data-locale") === "en" ? "en" : "zh-CN";
  var pageUrl = root.getAttribute("data-page-url") || "";
  // kefu may live under a path prefix: the API sits next to this page.
  var prefix = location.pathname.replace(/\/chat\/embed\/?$/, "");

  function $(sel, el) { return (el || root).querySelector(sel); }
  function $$(sel, el) { return Array.prototype.slice.call((el || root).querySelectorAll(sel)); }

  var views = $$("[data-view]");
  var greetingEl = $("[data-greeting]");
  var errorEl = $("[data-testid=chat-error]");
  var startForm = $("[data-testid=chat-start]");
  var leaveForm = $("[data-testid=chat-leave]");
  var statusEl = $("[data-testid=chat-status]");
  var offlineEl = $("[data-offline]");
  var logEl = $("[data-testid=chat-log]");
  var composer = $("[data-composer]");
  var input = $("[data-testid=chat-input]");
  var sendBtn = $("[data-testid=chat-send]");
  var endBtn = $("[data-testid=chat-end]");
  var newBtn = $("[data-testid=chat-new]");
  var closeBtn = $("[data-chat-close]");

  /** A text of the page's catalog; `{name}`-style slots filled from `vars`. */
  function msg(key, vars) {
    var el = root.querySelector('[data-msg="' + key + '"]');
    if (!el) return "";
    var s = el.textContent;
    if (vars) {
      Object.keys(vars).forEach(function (k) { s = s.split("{" + k + "}").join(vars[k]); });
    }
    return s;
  }

  // ---- stored chat (a reload of the frame resumes it) ----

  var memoryStore = null; // when the browser refuses storage to a third-party frame
  function loadStored() {
    try {
      var raw = window.sessionStorage.getItem(STORE_KEY);
      if (raw) {
        var v = JSON.parse(raw);
        if (v && typeof v.token === "string" && v.token) return v;
      }
      return null;
    } catch (e) {
      return memoryStore;
    }
  }
  function saveStored(v) {
    memoryStore = v;
    try { window.sessionStorage.setItem(STORE_KEY, JSON.stringify(v)); } catch (e) { /* memory only */ }
  }
  function forgetStored() {
    memoryStore = null;
    try { window.sessionStorage.removeItem(STORE_KEY); } catch (e) { /* nothing stored */ }
  }

  // ---- views and errors ----

  var greeting = "";

  function show(name) {
    views.forEach(function (v) { v.hidden = v.getAttribute("data-view") !== name; });
    greetingEl.hidden = !greeting || !(name === "start" || name === "leave" || name === "chat");
  }

  function showError(text) {
    errorEl.textContent = text || "";
    errorEl.hidden = !text;
  }

  function clearFieldErrors(form) {
    $$("[data-error-for]", form).forEach(function (p) { p.textContent = ""; p.hidden = true; });
    $$("[aria-invalid]", form).forEach(function (f) { f.removeAttribute("aria-invalid"); });
  }

  /** Shows the field errors of a problem document next to their fields; true if any was shown. */
  function showFieldErrors(form, errors) {
    var first = null;
    var shown = false;
    (errors || []).forEach(function (fe) {
      var field = String(fe.field || "").split(/[.[]/)[0];
      var slot = form.querySelector('[data-error-for="' + field + '"]');
      var text = msg("err." + field + "." + fe.code) || msg("err." + fe.code) || fe.message || msg("err.invalid");
      if (!slot) {
        showError(text);
        shown = true;
        return;
      }
      slot.textContent = slot.textContent ? slot.textContent + " " + text : text;
      slot.hidden = false;
      shown = true;
      var control = form.elements[field];
      if (control) {
        control.setAttribute("aria-invalid", "true");
        if (!first) first = control;
      }
    });
    if (first) first.focus();
    return shown;
  }

  function formValues(form) {
    var v = function (n) { return form.elements[n] ? form.elements[n].value.trim() : ""; };
    return {
      name: v("name"),
      email: v("email"),
      phone: v("phone"),
      message: form.elements.message ? form.elements.message.value : "",
      page_url: pageUrl,
      locale: locale,
    };
  }

  function copyValues(from, to) {
    ["name", "email", "phone", "message"].forEach(function (n) {
      if (from.elements[n] && to.elements[n] && !to.elements[n].value) to.elements[n].value = from.elements[n].value;
    });
  }

  // ---- HTTP ----

  /** JSON request; resolves to {status, body} (body null when not JSON), rejects on network errors. */
  function request(method, path, body) {
    var init = { method: method, headers: { accept: "application/json" }, credentials: "same-origin", cache: "no-store" };
    if (body !== undefined) {
      init.headers["content-type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(prefix + path, init).then(function (res) {
      var type = res.headers.get("content-type") || "";
      if (!/json/.test(type)) return { status: res.status, body: null };
      return res.json().then(
        function (b) { return { status: res.status, body: b }; },
        function () { return { status: res.status, body: null }; }
      );
    });
  }

  function problemText(r) {
    if (r.status === 429) return msg("err_rate");
    return (r.body && r.body.detail) || msg("err_generic");
  }

  // ---- what is offered ----

  var offer = null;

  function loadOffer() {
    return request("GET", "/chat/api/offer").then(function (r) {
      if (r.status !== 200 || !r.body) throw new Error("offer " + r.status);
      offer = r.body;
      if (offer.title) $("[data-chat-title]").textContent = offer.title;
      greeting = offer.greeting || "";
      greetingEl.textContent = greeting;
      return offer;
    });
  }

  /** Shows what the current offer allows (start form, message form, or "not available"). */
  function showOffer(reason) {
    var kind = reason || (offer && offer.offer) || "disabled";
    if (kind === "chat") {
      show("start");
    } else if (kind === "outside_hours" || kind === "no_agent") {
      $$("[data-reason]", leaveForm).forEach(function (p) { p.hidden = p.getAttribute("data-reason") !== kind; });
      show("leave");
    } else {
      show("disabled");
    }
  }

  function offerThenShow() {
    show("loading");
    return loadOffer().then(function () { showOffer(); }, function () {
      show("loading");
      showError(msg("err_network"));
    });
  }

  // ---- the conversation ----

  var stored = null;    // {session_id, token}
  var socket = null;    // the live WebSocket, or null
  var ready = false;    // the server answered our hello
  var ended = false;
  var lastSeq = 0;
  var shownSeqs = {};
  var attempt = 0;
  var reconnectTimer = null;
  var pingTimer = null;
  var leaving = false;

  function resetLog() {
    logEl.textContent = "";
    shownSeqs = {};
    lastSeq = 0;
  }

  function timeOf(at) {
    var d = new Date(at);
    if (isNaN(d.getTime())) return "";
    try {
      return d.toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit" });
    } catch (e) {
      return d.toTimeString().slice(0, 5);
    }
  }

  function lineFor(m) {
    var li = document.createElement("li");
    var sender = m.sender === "visitor" || m.sender === "agent" ? m.sender : "system";
    li.className = "chat-line chat-line-" + sender;
    li.setAttribute("data-seq", String(m.seq));
    li.setAttribute("data-sender", sender);
    if (sender === "agent" && m.name) {
      var who = document.createElement("span");
      who.className = "chat-who";
      who.textContent = m.name;
      li.appendChild(who);
    }
    var body = document.createElement("div");
    body.className = "chat-bubble";
    body.textContent = m.body;
    li.appendChild(body);
    var t = timeOf(m.at);
    if (t && sender !== "system") {
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
        var after = null;
        $$("[data-seq]", logEl).some(function (el) {
          if (Number(el.getAttribute("data-seq")) > seq) { after = el; return true; }
          return false;
        });
        logEl.insertBefore(li, after);
      }
    });
    if (nearBottom || list.some(function (m) { return m.sender === "visitor"; })) logEl.scrollTop = logEl.scrollHeight;
  }

  function setStatus(state) {
    statusEl.removeAttribute("data-ticket-number");
    statusEl.setAttribute("data-status", state.status);
    if (state.status === "active") {
      statusEl.textContent = msg("status_active", { name: state.agent_name || "" });
    } else if (state.status === "ended") {
      if (state.ticket_number) {
        statusEl.textContent = msg("status_ended_ticket", { number: state.ticket_number });
        statusEl.setAttribute("data-ticket-number", state.ticket_number);
      } else {
        statusEl.textContent = msg("status_ended");
      }
    } else {
      statusEl.textContent = msg("status_waiting");
    }
  }

  function updateControls() {
    var live = !ended && ready && socket !== null;
    sendBtn.disabled = !live;
    input.disabled = ended;
    endBtn.hidden = ended;
    endBtn.disabled = !live;
    newBtn.hidden = !ended;
    offlineEl.hidden = ended || live || (socket !== null && !ready && attempt === 0);
  }

  function stopPing() {
    if (pingTimer) { clearInterval(pingTimer); pingTimer = null; }
  }

  /** Drops the socket without reconnecting. */
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

  function send(frame) {
    if (!socket || socket.readyState !== WebSocket.OPEN) return false;
    socket.send(JSON.stringify(frame));
    return true;
  }

  function scheduleReconnect() {
    if (ended || leaving || !stored || reconnectTimer) return;
    var delay = Math.min(MAX_BACKOFF_MS, 1000 * Math.pow(2, attempt));
    attempt += 1;
    reconnectTimer = setTimeout(function () {
      reconnectTimer = null;
      connect();
    }, delay);
  }

  function connect() {
    if (ended || !stored || socket) return;
    var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + prefix + "/chat/ws";
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
      ws.send(JSON.stringify({ type: "hello", token: stored.token, after: lastSeq }));
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

  /** The visitor's words for an error frame; the server's detail only when nothing fits. */
  function frameErrorText(f) {
    switch (f.code) {
      case "chat_ended": return msg("status_ended");
      case "rate_limited": return msg("err_rate");
      case "invalid": return msg("err.message.too_long");
      case "internal": return msg("err_generic");
      default: return f.detail || msg("err_generic");
    }
  }

  function onFrame(f) {
    if (f.type === "state") {
      if (!ready) {
        ready = true;
        attempt = 0;
        showError("");
      }
      addMessages(f.messages);
      setStatus(f);
      if (f.status === "ended") finish();
      updateControls();
    } else if (f.type === "error") {
      if (f.code === "not_found") {
        // The chat is gone (or the token is not ours): start over.
        forgetStored();
        stored = null;
        disconnect();
        resetLog();
        offerThenShow();
        return;
      }
      showError(frameErrorText(f));
      endBtn.disabled = !ready;
    }
  }

  function finish() {
    ended = true;
    forgetStored();
    stored = null;
    disconnect();
    updateControls();
  }

  function openChat(s) {
    stored = s;
    ended = false;
    attempt = 0;
    resetLog();
    showError("");
    setStatus({ status: "waiting" });
    show("chat");
    updateControls();
    connect();
  }

  // ---- events ----

  // ---- the self-service bot, before a person (when the offer says so) ----

  var botView = $("[data-testid=chat-bot]");
  var botAsked = false;     // the bot has had its turn for the question in the start form
  var botAnswerId = null;   // its answer, linked to the chat when the visitor still wants a person

  function showBot(reply) {
    $("[data-bot-text]", botView).textContent = reply.text || "";
    var quote = $("[data-bot-quote]", botView);
    quote.textContent = reply.quote || "";
    quote.hidden = !reply.quote;
    var link = $("[data-bot-link]", botView);
    if (reply.article) {
      link.textContent = reply.article.title;
      link.href = reply.article.url;
      link.hidden = false;
    } else {
      link.hidden = true;
    }
    var more = $("[data-bot-more]", botView);
    more.textContent = "";
    (reply.more || []).forEach(function (a) {
      var li = document.createElement("li");
      var x = document.createElement("a");
      x.textContent = a.title;
      x.href = a.url;
      x.target = "_blank";
      x.rel = "noopener";
      li.appendChild(x);
      more.appendChild(li);
    });
    more.hidden = !(reply.more && reply.more.length);
    show("bot");
  }

  function rateBot(helpful) {
    if (!botAnswerId) return Promise.resolve();
    return request("POST", "/api/v1/bot/answers/" + botAnswerId + "/rating", { helpful: helpful })
      .catch(function () { /* a lost rating must not keep the visitor from a person */ });
  }

  $("[data-testid=chat-bot-solved]").addEventListener("click", function () {
    rateBot(true);
    botAsked = false;
    botAnswerId = null;
    startForm.reset();
    show("bot-done");
  });

  $("[data-testid=chat-bot-human]").addEventListener("click", function () {
    rateBot(false);
    show("start");
    startChat();
  });

  $("[data-testid=chat-bot-again]").addEventListener("click", function () {
    offerThenShow();
  });

  function askBot() {
    var button = startForm.querySelector("button[type=submit]");
    button.disabled = true;
    botAsked = true;
    var question = startForm.elements.message.value;
    request("POST", "/api/v1/bot/ask", { question: question, locale: locale, channel: "chat" }).then(function (r) {
      button.disabled = false;
      if (r.status === 200 && r.body) {
        botAnswerId = r.body.answer_id || null;
        if (r.body.decision === "answer") {
          showBot(r.body);
          return;
        }
      }
      // Unsure, asked for a person, or no answer at all: straight to a person.
      startChat();
    }, function () {
      button.disabled = false;
      startChat();
    });
  }

  // A changed question deserves the bot's turn again.
  startForm.elements.message.addEventListener("input", function () {
    botAsked = false;
    botAnswerId = null;
  });

  function startChat() {
    var button = startForm.querySelector("button[type=submit]");
    if (button.disabled) return;
    clearFieldErrors(startForm);
    showError("");
    button.disabled = true;
    var body = formValues(startForm);
    if (botAnswerId) body.bot_answer_id = botAnswerId;
    request("POST", "/chat/api/sessions", body).then(function (r) {
      button.disabled = false;
      if (r.status === 201 && r.body && r.body.token) {
        var s = { session_id: r.body.session_id, token: r.body.token };
        saveStored(s);
        startForm.reset();
        botAsked = false;
        botAnswerId = null;
        openChat(s);
        input.focus();
        return;
      }
      show("start");
      var code = r.body && r.body.code;
      if (code === "chat_unavailable") {
        // The last agent just went away: offer the message form instead, keeping what was typed.
        copyValues(startForm, leaveForm);
        loadOffer().then(function (o) {
          showOffer(o.offer === "chat" ? "no_agent" : o.offer);
        }, function () { showOffer("no_agent"); });
        return;
      }
      if (r.status === 422 && r.body && r.body.errors && showFieldErrors(startForm, r.body.errors)) return;
      showError(problemText(r));
    }, function () {
      button.disabled = false;
      show("start");
      showError(msg("err_network"));
    });
  }

  startForm.addEventListener("submit", function (e) {
    e.preventDefault();
    var button = startForm.querySelector("button[type=submit]");
    if (button.disabled) return;
    if (offer && offer.bot && !botAsked && startForm.elements.message.value.trim()) {
      askBot();
      return;
    }
    startChat();
  });

  leaveForm.addEventListener("submit", function (e) {
    e.preventDefault();
    var button = leaveForm.querySelector("button[type=submit]");
    if (button.disabled) return;
    clearFieldErrors(leaveForm);
    showError("");
    button.disabled = true;
    request("POST", "/chat/api/leave", formValues(leaveForm)).then(function (r) {
      button.disabled = false;
      if (r.status === 201 && r.body && r.body.number) {
        $("[data-left-number]").textContent = r.body.number;
        leaveForm.reset();
        show("left");
        return;
      }
      if (r.body && r.body.code === "chat_disabled") {
        show("disabled");
        return;
      }
      if (r.status === 422 && r.body && r.body.errors && showFieldErrors(leaveForm, r.body.errors)) return;
      showError(problemText(r));
    }, function () {
      button.disabled = false;
      showError(msg("err_network"));
    });
  });

  function say() {
    var body = input.value;
    if (!body.trim() || ended) return;
    if (!ready || !send({ type: "say", body: body })) return; // kept in the box until we are back
    input.value = "";
    input.focus();
  }

  composer.addEventListener("submit", function (e) {
    e.preventDefault();
    say();
  });

  input.addEventListener("keydown", function (e) {
    // Enter sends, Shift+Enter is a new line; never while an input method is composing.
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      say();
    }
  });

  endBtn.addEventListener("click", function () {
    if (send({ type: "end" })) endBtn.disabled = true;
  });

  newBtn.addEventListener("click", function () {
    disconnect();
    stored = null;
    ended = false;
    resetLog();
    showError("");
    offerThenShow().then(function () {
      var first = startForm.hidden ? leaveForm : startForm;
      var field = first.elements && first.elements.name;
      if (!first.hidden && field) field.focus();
    });
  });

  if (window.parent !== window) {
    closeBtn.hidden = false;
    closeBtn.addEventListener("click", function () {
      window.parent.postMessage({ type: "kefu-chat-close" }, "*");
    });
  }

  window.addEventListener("pagehide", function () {
    leaving = true;
    disconnect();
  });
  window.addEventListener("pageshow", function (e) {
    if (!e.persisted) return;
    leaving = false;
    if (stored && !ended) connect();
  });

  // Back online: try at once instead of waiting out the backoff.
  window.addEventListener("online", function () {
    if (stored && !ended && !socket) {
      clearTimeout(reconnectTimer);
      reconnectTimer = null;
      attempt = 0;
      connect();
    }
  });

  // ---- start ----

  var resume = loadStored();
  if (resume) {
    // Title and greeting only; the stored chat goes on whatever is offered now.
    loadOffer().catch(function () { /* keep the default title */ });
    openChat(resume);
  } else {
    offerThenShow();
  }
})();
