// kefu web chat launcher, embedded by a company in its own website:
//   <script src="https://kefu.example.com/chat/widget.js" async></script>
// (optional data-locale="en"). It adds a "chat with us" button that opens the chat page of kefu
// in a frame. The host page may have any CSS, so every style is set from here, marked
// !important, on elements of our own; the only global is window.KefuChat. The code is ASCII
// (Chinese as \u escapes), so it reads right whatever charset the host page assumes. No build step.
(function () {
  "use strict";
  if (window.KefuChat) return; // pasted twice: one launcher is enough

  var FILE = /\/chat\/widget\.js(?:[?#].*)?$/;

  function ownScript() {
    var s = document.currentScript;
    if (s && s.src && FILE.test(s.src)) return s;
    var all = document.getElementsByTagName("script");
    for (var i = all.length - 1; i >= 0; i--) {
      if (all[i].src && FILE.test(all[i].src)) return all[i];
    }
    return null;
  }

  var script = ownScript();
  if (!script) return;
  var base = script.src.replace(FILE, "");
  var origin;
  try {
    origin = new URL(base).origin;
  } catch (e) {
    return;
  }
  var locale = /^en/i.test(script.getAttribute("data-locale") || "") ? "en" : "zh-CN";
  var LABEL = locale === "en" ? "Chat with us" : "\u5728\u7ebf\u5ba2\u670d"; // zh: online support
  var FRAME_TITLE = locale === "en" ? "Live chat" : "\u5728\u7ebf\u5ba2\u670d\u5bf9\u8bdd"; // zh: online support chat
  var FONT = '14px/1.2 -apple-system, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif';
  var Z = "2147483000";

  /** Sets every property of `props` on `el` as an !important inline style. */
  function css(el, props) {
    for (var k in props) {
      if (Object.prototype.hasOwnProperty.call(props, k)) el.style.setProperty(k, props[k], "important");
    }
  }

  var launcher = null;
  var frame = null;
  var open = false;
  var phone = window.matchMedia ? window.matchMedia("(max-width: 480px), (max-height: 560px)") : null;

  function makeLauncher() {
    var b = document.createElement("button");
    b.type = "button";
    b.setAttribute("data-kefu-chat-launcher", "");
    b.setAttribute("aria-expanded", "false");
    b.setAttribute("aria-controls", "kefu-chat-frame");
    b.textContent = LABEL;
    css(b, {
      all: "initial",
      position: "fixed",
      right: "20px",
      bottom: "20px",
      "z-index": Z,
      display: "inline-block",
      "box-sizing": "border-box",
      margin: "0",
      padding: "11px 18px",
      border: "0",
      "border-radius": "22px",
      background: "#1456f0",
      color: "#fff",
      font: FONT,
      "font-weight": "600",
      "letter-spacing": "normal",
      "text-transform": "none",
      "box-shadow": "0 4px 14px rgba(0,0,0,.22)",
      cursor: "pointer",
      "user-select": "none",
    });
    b.addEventListener("focus", function () { css(b, { outline: "2px solid #0b3aa8", "outline-offset": "2px" }); });
    b.addEventListener("blur", function () { css(b, { outline: "none" }); });
    b.addEventListener("click", toggle);
    return b;
  }

  /** Frame size: a panel above the launcher, or the whole screen on a phone. */
  function place() {
    if (!frame) return;
    var small = phone ? phone.matches : false;
    css(frame, small ? {
      top: "0", left: "0", right: "0", bottom: "0",
      width: "100%", height: "100%", "max-width": "100vw", "max-height": "100vh",
      "border-radius": "0",
    } : {
      top: "auto", left: "auto", right: "20px", bottom: "76px",
      width: "370px", height: "540px",
      "max-width": "calc(100vw - 24px)", "max-height": "calc(100vh - 96px)",
      "border-radius": "10px",
    });
    // On a phone the frame covers the launcher; its own close button hides it again.
    css(launcher, { display: open && small ? "none" : "inline-block" });
  }

  function makeFrame() {
    var f = document.createElement("iframe");
    f.id = "kefu-chat-frame";
    f.setAttribute("data-kefu-chat-frame", "");
    f.title = FRAME_TITLE;
    f.src = base + "/chat/embed?locale=" + encodeURIComponent(locale) + "&page=" + encodeURIComponent(location.href);
    css(f, {
      all: "initial",
      position: "fixed",
      "z-index": Z,
      display: "block",
      "box-sizing": "border-box",
      margin: "0",
      padding: "0",
      border: "1px solid #dee0e3",
      background: "#fff",
      "box-shadow": "0 8px 30px rgba(0,0,0,.25)",
      "color-scheme": "light",
    });
    return f;
  }

  function show() {
    if (!frame) {
      frame = makeFrame();
      document.body.appendChild(frame);
    }
    open = true;
    css(frame, { display: "block" });
    launcher.setAttribute("aria-expanded", "true");
    place();
    try { frame.focus(); } catch (e) { /* not focusable yet */ }
  }

  function hide() {
    if (!frame) return;
    open = false;
    // Hidden, never removed: a running chat keeps its connection.
    css(frame, { display: "none" });
    launcher.setAttribute("aria-expanded", "false");
    place();
    launcher.focus();
  }

  function toggle() {
    if (open) hide();
    else show();
  }

  window.addEventListener("message", function (e) {
    if (e.origin !== origin || !frame || e.source !== frame.contentWindow) return;
    var d = e.data;
    if (d && typeof d === "object" && d.type === "kefu-chat-close") hide();
  });
  if (phone) {
    if (phone.addEventListener) phone.addEventListener("change", place);
    else if (phone.addListener) phone.addListener(place);
  }

  function start() {
    if (launcher) return;
    launcher = makeLauncher();
    document.body.appendChild(launcher);
  }

  window.KefuChat = {
    open: function () { start(); show(); },
    close: hide,
    toggle: function () { start(); toggle(); },
  };

  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start);
})();
