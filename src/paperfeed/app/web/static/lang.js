// Runs in <head>, before the page is drawn: show the language this browser chose last time
// (EN or 中文, kept in localStorage), so the page does not flash the other one first.
(function () {
  "use strict";
  try {
    var chosen = window.localStorage.getItem("paperfeed.lang");
    if (chosen === "en" || chosen === "zh") {
      document.documentElement.setAttribute("data-lang", chosen);
    }
  } catch (e) {
    // Storage blocked (private mode, file://): the server's default language stays.
  }
})();
