/*
 * The search index is downloaded when the reader opens search, not by every page view. Material's
 * bundle asks for search/search_index.json as soon as it starts (about half of what a page weighs,
 * benchmarks/page_weight.py), Zensical's for search.json (1 MB), through XMLHttpRequest. This
 * script, run before the bundle, holds that one request back until search is wanted: the search
 * box gets focus, a click or a tap, the pointer rests on it, a search shortcut is pressed, or the
 * URL carries a query.
 * Until the index arrives Material shows "検索を初期化しています" and answers the query once ready.
 */
(function () {
  "use strict";
  var INDEX = /\/search(\/search_index)?\.json$/;  // MkDocs (Material), Zensical
  var held = new WeakSet();
  var waiting = [];
  var wanted = false;
  var open = XMLHttpRequest.prototype.open;
  var send = XMLHttpRequest.prototype.send;

  XMLHttpRequest.prototype.open = function (method, url) {
    if (INDEX.test(new URL(String(url), location.href).pathname)) held.add(this);
    return open.apply(this, arguments);
  };
  XMLHttpRequest.prototype.send = function () {
    if (!wanted && held.has(this)) {
      var request = this, args = arguments;
      waiting.push(function () { send.apply(request, args); });
      return undefined;
    }
    return send.apply(this, arguments);
  };

  function want() {
    if (wanted) return;
    wanted = true;
    waiting.splice(0).forEach(function (go) { go(); });
  }
  function inSearch(event) {
    var target = event.target;
    return target instanceof Element
      && target.closest("form[name=search], label[for=__search], .md-search, .md-search__button") !== null;
  }
  function editing(target) {
    return target instanceof Element && target.closest("input, textarea, select, [contenteditable]") !== null;
  }
  ["focusin", "pointerover", "pointerdown"].forEach(function (type) {
    document.addEventListener(type, function (event) { if (inSearch(event)) want(); }, true);
  });
  // The search shortcuts ("/", "s", "f"; Zensical's dialog also Ctrl/Cmd+K), seen before the theme's handler.
  document.addEventListener("keydown", function (event) {
    var key = (event.key || "").toLowerCase();
    if (editing(event.target)) return;
    if ((!event.ctrlKey && !event.metaKey && !event.altKey && ["/", "s", "f"].indexOf(key) >= 0)
        || ((event.ctrlKey || event.metaKey) && key === "k")) want();
  }, true);
  document.addEventListener("change", function (event) {
    if (event.target instanceof Element && event.target.id === "__search") want();
  }, true);
  if (/[?&](q|query)=/.test(location.search)) want();
})();
