// stemgap static site: the search box without a server. The form still
// leads to search/offline.html (a list of every seat) when this script does
// not run; when it does, the query is matched against search-index.json
// (seat names of both boundary sets, common alternative names, GSS codes,
// indicator titles) and the matches are listed under the box.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.fetch || !String.prototype.normalize) return;
  var root = script.src.replace(/static\/search\.js(\?.*)?$/, "");
  var index = null;

  // As search::normalise: lower case, accents removed, & read as "and",
  // every run of anything else one space.
  function norm(s) {
    return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/&/g, " and ").replace(/[^a-z0-9]+/g, " ").trim();
  }

  function load() {
    if (!index) {
      index = fetch(root + "search-index.json").then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.json();
      });
    }
    return index;
  }

  // Entries: [label, href, key, code]; exact code or key first, then
  // keys starting with the query, then keys holding every word.
  function find(data, q) {
    var n = norm(q);
    if (!n) return [];
    var words = n.split(" ");
    var code = n.replace(/ /g, "");
    var hits = [];
    data.entries.forEach(function (e) {
      var key = " " + e[2] + " ";
      var rank = -1;
      if ((e[3] && e[3].toLowerCase() === code) || e[2] === n) rank = 0;
      else if (key.indexOf(" " + n) === 0) rank = 1;
      else if (words.every(function (w) { return key.indexOf(" " + w) >= 0; })) rank = 2;
      if (rank >= 0) hits.push([rank, e]);
    });
    hits.sort(function (a, b) { return a[0] - b[0] || (a[1][0] < b[1][0] ? -1 : 1); });
    return hits.slice(0, 50).map(function (h) { return h[1]; });
  }

  function show(form, list, status, data, q) {
    var hits = find(data, q);
    list.textContent = "";
    hits.forEach(function (e) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = root + e[1];
      a.textContent = e[0];
      li.appendChild(a);
      list.appendChild(li);
    });
    status.textContent = hits.length === 0
      ? "Nothing matches \u201c" + q + "\u201d. Postcodes need the atlas's server; this copy finds names and GSS codes."
      : hits.length + (hits.length === 1 ? " match" : " matches") + " for \u201c" + q + "\u201d.";
    if (hits.length === 1 && hits[0][3]) window.location.href = root + hits[0][1];
  }

  function start() {
    var form = document.querySelector("form.search");
    if (!form) return;
    var input = form.querySelector("input[name=q]");
    var status = document.createElement("p");
    status.setAttribute("role", "status");
    status.className = "search-status";
    var list = document.createElement("ul");
    list.className = "search-results";
    form.appendChild(status);
    form.appendChild(list);
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var q = input.value;
      load().then(function (data) { show(form, list, status, data, q); },
        function () { form.submit(); });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
