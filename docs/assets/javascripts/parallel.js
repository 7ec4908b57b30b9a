/*
 * The Envoy tab as a parallel view (対訳). The page carries, on each Envoy excerpt the translator
 * could attribute, which of the example's YAML lines produced which Envoy lines
 * (data-inb-pairs="[[first yaml line, last yaml line, [envoy lines...]], ...]", written by
 * markdown/parallel.py from envoy/translate_sources.py). Nothing is built until the reader opens
 * an Envoy tab: then the example's YAML is set beside the Envoy lines, and pointing at (or
 * focusing, with Tab) a YAML line highlights the Envoy lines it produced, and back; a click pins
 * the highlight, Escape clears it (tests/browser/test_reading.py).
 */
(function () {
  "use strict";
  var ON = "inb-line--on";

  function wrapLines(code) {
    var parts = code.innerHTML.split("\n");
    if (parts.length && parts[parts.length - 1] === "") parts.pop();
    code.innerHTML = parts.map(function (html, i) {
      return '<span class="inb-line" data-line="' + (i + 1) + '">' + (html === "" ? "\n" : html) + "</span>";
    }).join("");
    return Array.prototype.slice.call(code.children);
  }

  function build(map) {
    var example = map.closest(".inb-example");
    var source = example && example.querySelector(".tabbed-block .highlight code");
    var envoyCode = map.querySelector("code");
    if (!source || !envoyCode) return;
    var pairs = JSON.parse(map.getAttribute("data-inb-pairs") || "[]");
    var yamlCode = source.cloneNode(true);
    Array.prototype.forEach.call(yamlCode.querySelectorAll("a[id]"), function (a) { a.remove(); });
    var yamlBox = document.createElement("div");
    yamlBox.className = "highlight inb-parallel__yaml";
    var pre = document.createElement("pre");
    pre.appendChild(yamlCode);
    yamlBox.appendChild(pre);
    var view = document.createElement("div");
    view.className = "inb-parallel";
    var envoyBox = map.querySelector(".highlight");
    envoyBox.classList.add("inb-parallel__envoy");
    map.insertBefore(view, envoyBox);
    view.appendChild(yamlBox);
    view.appendChild(envoyBox);
    link(wrapLines(yamlCode), wrapLines(envoyCode), pairs, view);
    map.setAttribute("data-inb-built", "");
  }

  function link(yaml, envoy, pairs, view) {
    var pinned = false;
    function light(found) {
      view.querySelectorAll("." + ON).forEach(function (line) { line.classList.remove(ON); });
      found.forEach(function (pair) {
        for (var n = pair[0]; n <= pair[1]; n++) if (yaml[n - 1]) yaml[n - 1].classList.add(ON);
        pair[2].forEach(function (n) { if (envoy[n - 1]) envoy[n - 1].classList.add(ON); });
      });
    }
    function pairsOf(line) {
      var n = +line.getAttribute("data-line");
      var side = yaml.indexOf(line) >= 0 ? "yaml" : "envoy";
      return pairs.filter(function (p) { return side === "yaml" ? p[0] <= n && n <= p[1] : p[2].indexOf(n) >= 0; });
    }
    function mark(lines, pick) {
      lines.forEach(function (line) {
        if (pick(line).length) {
          line.tabIndex = 0;
          line.classList.add("inb-line--linked");
        }
      });
    }
    mark(yaml, pairsOf);
    mark(envoy, pairsOf);
    function show(event) {
      var line = event.target.closest && event.target.closest(".inb-line--linked");
      if (line && !pinned) light(pairsOf(line));
    }
    view.addEventListener("mouseover", show);
    view.addEventListener("focusin", function (event) { pinned = false; show(event); });
    view.addEventListener("mouseleave", function () { if (!pinned) light([]); });
    view.addEventListener("click", function (event) {
      var line = event.target.closest && event.target.closest(".inb-line--linked");
      pinned = !!line;
      light(line ? pairsOf(line) : []);
    });
    view.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { pinned = false; light([]); }
    });
  }

  function opened(input) {
    // pymdownx.tabbed: the n-th radio input of a tab set shows its n-th block.
    var set = input.parentElement;
    if (!set || !set.classList.contains("tabbed-set")) return;
    var inputs = Array.prototype.filter.call(set.children, function (c) { return c.tagName === "INPUT"; });
    var blocks = set.querySelectorAll(":scope > .tabbed-content > .tabbed-block");
    var block = blocks[inputs.indexOf(input)];
    if (!block) return;
    block.querySelectorAll(".inb-envoy__map:not([data-inb-built])").forEach(build);
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input && input.type === "radio" && input.checked) opened(input);
  });
})();
