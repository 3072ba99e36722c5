// Privacy controls. Loaded before the widget, and works even if it fails to load.
(function () {
  "use strict";

  // rasa-webchat writes a few keys to localStorage whatever its storage
  // setting; route them to sessionStorage so nothing outlives the tab.
  var realLocalStorage = window.localStorage;
  var WIDGET_KEYS = ["chat_session", "rasaWebchatPro", "mrbot_next_message"];
  try {
    Object.defineProperty(window, "localStorage", {
      configurable: true,
      get: function () { return window.sessionStorage; },
    });
  } catch (e) { /* the page still clears both on exit */ }

  var leaving = false;

  // The widget's session id, which the server issued (channels/socketio.py).
  function sessionId() {
    try {
      var session = JSON.parse(window.sessionStorage.getItem("chat_session") || "null");
      return session && session.session_id;
    } catch (e) {
      return null;
    }
  }

  // Ask the server to delete its copy. A beacon is still sent while the page
  // unloads, and the session id alone proves whose conversation it is.
  function forgetOnServer() {
    var id = sessionId();
    if (!id || !navigator.sendBeacon) return;
    var server = document.querySelector('meta[name="chat-socket-url"]').content;
    navigator.sendBeacon(server.replace(/\/$/, "") + "/webhooks/socketio/forget", id);
  }

  function forget() {
    forgetOnServer();
    // Stop the widget from writing its state back while the page unloads.
    Storage.prototype.setItem = function () {};
    window.sessionStorage.clear();
    // in case the redirect above failed, the widget's keys in the real store
    WIDGET_KEYS.forEach(function (key) { realLocalStorage.removeItem(key); });
  }

  function quickExit() {
    if (leaving) return;
    leaving = true;
    var target = document.getElementById("quick-exit").dataset.exitUrl;
    document.body.hidden = true;
    forget();
    // replace(): the chat page does not stay in the tab's history.
    window.location.replace(target);
  }

  function clearConversation() {
    forget();
    window.location.reload();
  }

  var lastEscape = 0;
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var now = Date.now();
    if (now - lastEscape < 1000) quickExit();
    lastEscape = now;
  });
  document.getElementById("quick-exit").addEventListener("click", quickExit);
  document.getElementById("clear-chat").addEventListener("click", clearConversation);
})();
