// "試す" buttons (on every check of a checked page) and the playground page's bootstrap. Small on
// purpose: it is on every page; the playground UI (page.js) and the engine (engine.js, Pyodide in a
// Worker) load only on the playground page, that is only when the reader asks for them.

const root = new URL("../../../", import.meta.url); // assets/javascripts/playground/ → site root
const playground = new URL("playground/", root);

// The page as the sessions JSON names it: its URL relative to the site root ("traffic/cors/").
function pageKey() {
  const path = decodeURIComponent(location.pathname);
  const base = decodeURIComponent(root.pathname);
  return path.startsWith(base) ? path.slice(base.length).replace(/index\.html$/, "") : "";
}

function tryLink(params, label) {
  const link = document.createElement("a");
  link.className = "inb-try md-button";
  link.href = `${playground.href}#${new URLSearchParams(params)}`;
  link.textContent = "試す";
  link.title = label;
  return link;
}

function addButtons() {
  const key = pageKey();
  for (const row of document.querySelectorAll(".inb-checks tr[id^='inb-check-']")) {
    const line = row.id.slice("inb-check-".length);
    const cell = row.querySelector("td");
    if (!cell || cell.querySelector(".inb-try")) continue;
    cell.append(" ", tryLink({ from: key, check: line }, "このチェックをプレイグラウンドで編集して実行します"));
  }
  document.querySelectorAll(".inb-example").forEach((example, index) => {
    if (!/inb-example--(verified|error)\b/.test(example.className) || example.querySelector(".inb-try")) return;
    const badges = example.querySelector(".inb-badges");
    if (badges) badges.append(" ", tryLink({ from: key, example: String(index) }, "この例をプレイグラウンドで編集して検証します"));
  });
}

const mount = document.getElementById("inb-playground");
if (mount) {
  import("./page.js").then((module) => module.start(mount, root));
} else if (document.querySelector(".inb-checks, .inb-example")) {
  addButtons();
}
