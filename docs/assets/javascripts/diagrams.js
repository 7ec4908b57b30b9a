/*
 * Mermaid, loaded late. Material renders every <pre class="mermaid"> of a page when the page loads,
 * calling the global `mermaid` (initialize once, then render per diagram) and, if there is none,
 * fetching Mermaid from unpkg. This file defines that global as a stand-in that holds each render
 * until its diagram is about to be seen (its tab opened, or scrolled near), and only then loads the
 * real Mermaid from this site. A page without diagrams never loads it; a page with many renders
 * only the diagrams the reader opens.
 *
 * On a narrow screen (below 600 px) a flowchart is drawn top to bottom (most then fit a phone's
 * column) and keeps its natural size instead of shrinking to the column (Mermaid's useMaxWidth),
 * so its labels stay readable (16 px, not 6-8 px); a diagram still wider than the column scrolls
 * sideways in its own box (istio-notebook.css, tests/browser/test_diagrams.py).
 */
(function () {
  "use strict";
  var here = document.currentScript && document.currentScript.src;
  var source = new URL("vendor/mermaid.min.js", here || location.href).href;
  var settings = {};
  var loading = null;
  var claimed = new Set();
  var NARROW = "(max-width: 600px)";

  function narrow() { return !!(window.matchMedia && window.matchMedia(NARROW).matches); }

  function load() {
    loading = loading || new Promise(function (resolve, reject) {
      var tag = document.createElement("script");
      tag.src = source;
      tag.onload = function () {
        var real = window.mermaid;
        window.mermaid = standIn;  // Material keeps calling the stand-in; it forwards to `real`
        real.initialize(settings);
        resolve(real);
      };
      tag.onerror = function () { reject(new Error("cannot load " + source)); };
      document.head.appendChild(tag);
    });
    return loading;
  }

  // The diagram element Material is about to replace: the first unclaimed one with this source.
  function elementFor(text) {
    var blocks = document.querySelectorAll("pre.mermaid");
    for (var i = 0; i < blocks.length; i++) {
      if (!claimed.has(blocks[i]) && blocks[i].textContent === text) {
        claimed.add(blocks[i]);
        return blocks[i];
      }
    }
    return null;
  }

  function whenSeen(el) {
    return new Promise(function (resolve) {
      if (!el || !("IntersectionObserver" in window)) return resolve();
      var observer = new IntersectionObserver(function (entries) {
        if (entries.some(function (e) { return e.isIntersecting; })) {
          observer.disconnect();
          resolve();
        }
      }, { rootMargin: "300px 0px" });
      observer.observe(el);
    });
  }

  var standIn = {
    initialize: function (options) {
      settings = options || {};
      if (narrow()) {
        settings.flowchart = Object.assign({}, settings.flowchart, { useMaxWidth: false });
      }
    },
    render: function (id, text) {
      return whenSeen(elementFor(text))
        .then(load)
        .then(function (real) { return real.render(id, narrow() ? text.replace(/^flowchart LR\b/, "flowchart TB") : text); });
    }
  };
  window.mermaid = standIn;
})();
