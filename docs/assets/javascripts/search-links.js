/*
 * Search result links with something to highlight. Material adds "?h=<terms>" to each result, built
 * from the terms that matched that entry; a page entry whose own text did not match (only one of its
 * sections did) gets an empty "?h=", which highlights nothing. Such links get the query instead.
 */
(function () {
  "use strict";
  function fix(list) {
    var input = document.querySelector("input.md-search__input");
    var query = input ? input.value.trim().split(/\s+/).filter(Boolean).join(" ") : "";
    list.querySelectorAll("a[href]").forEach(function (a) {
      var url = new URL(a.href, location.href);
      if (url.searchParams.has("h") && !url.searchParams.get("h")) {
        if (query) url.searchParams.set("h", query); else url.searchParams.delete("h");
        a.href = url.toString();
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var list = document.querySelector(".md-search-result__list");
    if (!list) return;
    new MutationObserver(function () { fix(list); }).observe(list, { childList: true, subtree: true });
  });
})();
