// paperfeed pages: the EN / 中文 toggle, star and upvote buttons without a page reload, and
// TeX rendered by the bundled KaTeX. Every page also works without this file: the buttons
// then submit a form and the page reloads.
(function () {
  "use strict";
  var root = document.documentElement;

  // -- language ------------------------------------------------------------------------------
  function showLanguage(lang) {
    root.setAttribute("data-lang", lang);
    var buttons = document.querySelectorAll("[data-set-lang]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].setAttribute("aria-pressed", String(buttons[i].getAttribute("data-set-lang") === lang));
    }
  }
  function chooseLanguage(lang) {
    showLanguage(lang);
    try { window.localStorage.setItem("paperfeed.lang", lang); } catch (e) { /* not kept */ }
  }

  // -- stars and upvotes ----------------------------------------------------------------------
  function marks(name) {
    var value = document.body.getAttribute("data-" + name) || "";
    var set = {};
    value.split(" ").forEach(function (id) { if (id) { set[id] = true; } });
    return set;
  }
  var pressed = { star: marks("starred"), upvote: marks("upvoted") };

  function paint(id, state) {
    var buttons = document.querySelectorAll("button.react");
    for (var i = 0; i < buttons.length; i++) {
      var b = buttons[i];
      if (b.getAttribute("data-id") !== id) { continue; }
      var kind = b.getAttribute("data-kind");
      if (state) {
        b.querySelector(".count").textContent = String(kind === "star" ? state.stars : state.upvotes);
        pressed[kind][id] = kind === "star" ? state.starred : state.upvoted;
      }
      b.setAttribute("aria-pressed", String(Boolean(pressed[kind][id])));
    }
  }

  function react(button) {
    var id = button.getAttribute("data-id");
    var kind = button.getAttribute("data-kind");
    var on = !pressed[kind][id];
    var token = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
    var path = (kind === "star" ? "/api/stars/" : "/api/upvotes/") + id;
    button.disabled = true;
    fetch(path, {
      method: on ? "POST" : "DELETE",
      headers: { "X-CSRF-Token": token, "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      if (response.status === 401) {
        window.location.href = "/login?next=" + encodeURIComponent(window.location.pathname + window.location.search);
        return null;
      }
      if (!response.ok) {
        return response.json().then(function (problem) { throw new Error(problem.detail); });
      }
      return response.json();
    }).then(function (state) {
      if (state) { paint(id, state); }
    }).catch(function (error) {
      button.title = "Failed: " + error.message;
      button.classList.add("failed");
    }).then(function () {
      button.disabled = false;
    });
  }

  // -- TeX --------------------------------------------------------------------------------------
  function renderMath() {
    if (!window.katex) { return; }
    var spans = document.querySelectorAll(".math:not([data-rendered])");
    for (var i = 0; i < spans.length; i++) {
      var span = spans[i];
      var tex = span.textContent;
      var display = tex.slice(0, 2) === "$$";
      tex = display ? tex.slice(2, -2) : tex.slice(1, -1);
      try {
        // trust stays off: \href, \url and raw HTML from a paper never become links or markup.
        window.katex.render(tex, span, { throwOnError: false, displayMode: false, maxExpand: 200, strict: "ignore" });
        span.setAttribute("data-rendered", "");
      } catch (e) {
        span.setAttribute("data-rendered", "failed"); // the TeX stays as text
      }
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    showLanguage(root.getAttribute("data-lang") === "en" ? "en" : "zh");
    Object.keys(pressed.star).forEach(function (id) { paint(id, null); });
    Object.keys(pressed.upvote).forEach(function (id) { paint(id, null); });
    renderMath();
  });

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) { return; }
    var toggle = target.closest("[data-set-lang]");
    if (toggle) {
      chooseLanguage(toggle.getAttribute("data-set-lang"));
      return;
    }
    var button = target.closest("button.react");
    if (button && window.fetch) {
      event.preventDefault();
      react(button);
    }
  });
})();
