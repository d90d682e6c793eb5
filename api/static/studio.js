// The studio's only script: the nav's badges, and new messages in an open conversation without
// a reload. Plain polling (every few seconds, paused while the tab is hidden): it survives
// proxies and restarts that server-sent events would need care for.
(function () {
  "use strict";
  var PERIOD = 4000;

  function badges() {
    fetch("/studio/badges", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (counts) {
        if (!counts) return;
        ["new_leads", "handovers", "payments"].forEach(function (name) {
          var el = document.querySelector('[data-badge="' + name + '"]');
          if (!el) return;
          el.textContent = counts[name] ? String(counts[name]) : "";
          el.hidden = !counts[name];
        });
      })
      .catch(function () {});
  }

  function conversation(box) {
    fetch(box.getAttribute("data-poll"), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html === null) return;
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector(".chat");
        var current = box.querySelector(".chat");
        if (!fresh || !current || fresh.innerHTML === current.innerHTML) return;
        var atEnd = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
        current.replaceWith(fresh);
        if (atEnd) box.scrollTop = box.scrollHeight;
      })
      .catch(function () {});
  }

  function tick() {
    if (document.hidden) return;
    badges();
    var box = document.querySelector("[data-poll]");
    if (box) conversation(box);
  }

  var box = document.querySelector("[data-poll]");
  if (box) box.scrollTop = box.scrollHeight;
  badges();
  setInterval(tick, PERIOD);
})();
