// paperfeed site search: loads search-index.json once and filters it in the browser.
// Every word of the query must appear in the title, the Chinese title, the authors or the id.
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  var input = document.getElementById("search-input");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var LIMIT = 200;
  var papers = null;

  function load() {
    if (papers) { return Promise.resolve(papers); }
    return fetch("search-index.json").then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json();
    }).then(function (index) {
      papers = index.papers.map(function (p) {
        return { id: p[0], date: p[1], title: p[2], titleZh: p[3], authors: p[4], anchor: p[5],
          topics: p[6].map(function (t) { return index.topics[t]; }),
          hay: (p[0] + " " + p[2] + " " + p[3] + " " + p[4]).toLowerCase() };
      });
      return papers;
    });
  }

  function item(p) {
    var li = document.createElement("li");
    var a = document.createElement("a");
    a.href = "days/" + p.date + ".html#" + encodeURIComponent(p.anchor);
    a.textContent = p.titleZh || p.title;
    li.appendChild(a);
    var meta = document.createElement("span");
    meta.className = "hit-meta";
    meta.textContent = (p.titleZh ? p.title + " · " : "") + p.date + " · " + p.id + " · " +
      p.authors + " · " + p.topics.join(", ");
    li.appendChild(meta);
    return li;
  }

  function run(query) {
    var words = query.toLowerCase().split(/\s+/).filter(Boolean);
    list.textContent = "";
    if (!words.length) { status.textContent = "输入关键词 / type a query"; return; }
    status.textContent = "…";
    load().then(function (all) {
      var hits = all.filter(function (p) {
        return words.every(function (w) { return p.hay.indexOf(w) !== -1; });
      });
      hits.slice(0, LIMIT).forEach(function (p) { list.appendChild(item(p)); });
      status.textContent = hits.length + " 篇 / results" + (hits.length > LIMIT ? " (showing " + LIMIT + ")" : "");
    }).catch(function (error) {
      status.textContent = "无法加载索引 / cannot load the search index (" + error.message +
        "); serve the site over HTTP, e.g. python3 -m http.server";
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var url = new URL(window.location.href);
    url.searchParams.set("q", input.value);
    window.history.replaceState(null, "", url);
    run(input.value);
  });
  var initial = new URL(window.location.href).searchParams.get("q");
  if (initial) { input.value = initial; run(initial); }
}());
