// Starts the rasa-webchat widget with the page's settings and makes it
// accessible: quick replies work from the keyboard, new messages are announced.
(function () {
  "use strict";

  // Time zones of the regions whose services the assistant knows (see
  // safety/regions.yml). The locale is not a hint: it tells the language, and
  // an en-US browser is used everywhere. Where the zone says nothing, the
  // assistant asks for the country.
  var ZONE_COUNTRY = {
    "Europe/London": "GB", "Europe/Belfast": "GB", "Europe/Dublin": "IE",
    "Asia/Kolkata": "IN", "Asia/Calcutta": "IN",
    "America/New_York": "US", "America/Chicago": "US", "America/Denver": "US",
    "America/Los_Angeles": "US", "America/Phoenix": "US", "America/Anchorage": "US",
    "America/Detroit": "US", "America/Boise": "US", "America/Juneau": "US",
    "America/Adak": "US", "Pacific/Honolulu": "US",
    "America/Toronto": "CA", "America/Vancouver": "CA", "America/Edmonton": "CA",
    "America/Winnipeg": "CA", "America/Halifax": "CA", "America/St_Johns": "CA",
    "America/Regina": "CA", "America/Moncton": "CA", "America/Whitehorse": "CA",
  };

  // Where the person probably is, from the browser alone: no IP look-up.
  function countryHint() {
    try {
      var zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
      if (ZONE_COUNTRY[zone]) return ZONE_COUNTRY[zone];
      if (zone.indexOf("Australia/") === 0) return "AU";
      if (zone.indexOf("America/Indiana/") === 0 || zone.indexOf("America/Kentucky/") === 0) return "US";
      return null;
    } catch (e) {
      return null;
    }
  }

  var chat = document.getElementById("chat");
  var announcer = document.getElementById("chat-announcer");

  function announce(text) {
    var line = document.createElement("p");
    line.textContent = text;
    announcer.appendChild(line);
    while (announcer.childNodes.length > 3) announcer.removeChild(announcer.firstChild);
  }

  function makeKeyboardFriendly(reply) {
    if (reply.tagName === "A" || reply.hasAttribute("tabindex")) return;
    reply.setAttribute("role", "button");
    reply.setAttribute("tabindex", "0");
    reply.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        reply.click();
      }
    });
  }

  // rasa-webchat 1.0.1 has no props for these, so they are set on its DOM as
  // it renders: its icon-only buttons and its text box have no accessible
  // name, and its title is an <h4> right under the page's <h1>, which would
  // make heading navigation skip two levels.
  function label(root) {
    root.querySelectorAll(".rw-launcher, .rw-close-button").forEach(function (button) {
      button.setAttribute("aria-label", chat.dataset.launcherLabel);
    });
    root.querySelectorAll(".rw-send").forEach(function (button) {
      button.setAttribute("aria-label", chat.dataset.sendLabel);
    });
    root.querySelectorAll(".rw-new-message").forEach(function (box) {
      box.setAttribute("aria-label", chat.dataset.inputLabel);
    });
    root.querySelectorAll(".rw-title").forEach(function (title) {
      title.setAttribute("aria-level", "2");
    });
  }

  // What each bubble said when it was last announced. The widget may render a
  // bubble empty (its typing indicator) and fill it later, or reuse one, so
  // each pass looks for bubbles whose text is new rather than for added nodes.
  var announced = new WeakMap();

  function announceNewAnswers(root) {
    root.querySelectorAll(".rw-response").forEach(function (response) {
      var text = response.textContent.trim();
      if (!text || announced.get(response) === text) return;
      announced.set(response, text);
      announce(text);
    });
  }

  function watch(root) {
    new MutationObserver(function () {
      label(root);
      root.querySelectorAll(".rw-reply").forEach(makeKeyboardFriendly);
      announceNewAnswers(root);
    }).observe(root, { childList: true, subtree: true, characterData: true });
  }

  var socketUrl = document.querySelector('meta[name="chat-socket-url"]').content;
  var country = countryHint();
  watch(chat);
  window.WebChat.default(
    {
      socketUrl: socketUrl,
      socketPath: "/socket.io/",
      initPayload: chat.dataset.initPayload,
      customData: country ? { country: country } : {},
      title: chat.dataset.title,
      subtitle: chat.dataset.subtitle,
      inputTextFieldHint: chat.dataset.inputHint,
      params: { storage: "session" },
      connectOn: "open", // nothing is sent until the person opens the chat
      withRules: false, // Botfront-only: would hide the widget until Botfront sends rules
      hideWhenNotConnected: false,
      docViewer: false, // it would send links to a Google viewer
      showMessageDate: false,
      // The default holds each message 0.8-3 s to mimic typing: crisis
      // contacts must not wait, so answers show as soon as they arrive.
      customMessageDelay: function () { return 0; },
    },
    chat
  );
})();
