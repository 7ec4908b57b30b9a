// The playground page (docs/playground.md): YAML, request and proxy in, outcome, Japanese trace
// and the validator's diagnostics out, rerun as the reader types. The whole state lives in the
// URL (#s=..., deflate + base64url) so that a link reproduces it; "試す" buttons arrive with
// #from=<page>&check=<line> (or &example=<n>) and the page's sessions JSON fills the form.

import { diagram, run, warm } from "./engine.js";
import { PROXY_CHOICES, PROXY_DEFAULTS, liftProxy, proxyOptions, showProxyFields } from "./proxy.js";

const FILES = ["fixtures.yaml", "example.yaml"];
const EMPTY = {
  files: { "fixtures.yaml": "", "example.yaml": "" },
  command: "route",
  method: "GET",
  url: "http://reviews:9080/reviews/1",
  headers: "",
  options: "",
  ...PROXY_DEFAULTS,
  title: "",
};
const FIELDS = ["command", "method", "url", "headers", "options", "proxy", "namespace", "labels", "gateway"];

// ---------------------------------------------------------------- state in the URL

async function pack(state) {
  const stream = new Blob([JSON.stringify(state)]).stream().pipeThrough(new CompressionStream("deflate-raw"));
  const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  let text = "";
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

async function unpack(packed) {
  const text = atob(packed.replace(/-/g, "+").replace(/_/g, "/"));
  const bytes = Uint8Array.from(text, (c) => c.charCodeAt(0));
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
  return { ...EMPTY, ...JSON.parse(await new Response(stream).text()) };
}

// Quotes group words, as a shell would: --to 'default/app=httpbin' → ["--to", "default/app=httpbin"].
function splitOptions(text) {
  return [...text.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
}

function quote(word) {
  return /^[\w./:=,@-]+$/.test(word) ? word : `'${word}'`;
}

async function fromSession(root, params) {
  const key = params.get("from") || "";
  const response = await fetch(new URL(`assets/playground/sessions/${key}session.json`, root));
  if (!response.ok) throw new Error(`このページの例は読み込めません（${response.status}）`);
  const session = await response.json();
  const check = session.checks.find((c) => String(c.line) === params.get("check"));
  const example = session.examples[Number(params.get("example"))];
  const scenario = check ? check.scenario : example && example.scenario !== null ? example.scenario : null;
  if (scenario === null || !(scenario in session.scenarios)) throw new Error("この例はプレイグラウンドで開けません");
  const first = check || session.checks.find((c) => c.scenario === scenario);
  const state = { ...EMPTY, files: { ...session.scenarios[scenario] }, title: `${session.page || "ホーム"}` };
  if (first) {
    Object.assign(state, {
      command: first.command,
      method: first.method,
      url: first.url,
      headers: first.headers.join("\n"),
      options: first.options.map(quote).join(" "),
      title: `${state.title} ${first.title || ""}`.trim(),
    });
  }
  return state;
}

async function initialState(root) {
  const params = new URLSearchParams(location.hash.slice(1));
  if (params.has("s")) return withProxyFields(await unpack(params.get("s")));
  if (params.has("from")) return withProxyFields(await fromSession(root, params));
  return { ...EMPTY };
}

// --from / --gateway in the options text (a check's context, a link from before the proxy
// controls) move into the proxy fields, so that the controls show them.
function withProxyFields(state) {
  const { rest, found } = liftProxy(splitOptions(state.options));
  return { ...state, ...found, options: rest.map(quote).join(" ") };
}

// The files worth passing, in FILES order (as sessions.py's given(): an empty one says only "no YAML documents").
function given(files) {
  return FILES.filter((name) => (files[name] || "").trim());
}

export function argvOf(state) {
  const headers = state.headers.split("\n").map((h) => h.trim()).filter(Boolean).flatMap((h) => ["-H", h]);
  const request = ["--request", `${state.method} ${state.url}`.trim()];
  const options = [...proxyOptions(state), ...splitOptions(state.options)];
  return [state.command, ...given(state.files), ...request, ...headers, ...options, "--format", "json", "--lang", "ja"];
}

// ---------------------------------------------------------------- the form

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

function field(label, control) {
  return element("label", { class: "inb-pg__field" }, element("span", {}, label), control);
}

function buildForm(mount) {
  const controls = {
    example: element("textarea", { rows: "18", spellcheck: "false", "data-file": "example.yaml", "aria-label": "example.yaml" }),
    fixtures: element("textarea", { rows: "12", spellcheck: "false", "data-file": "fixtures.yaml", "aria-label": "fixtures.yaml" }),
    command: element("select", {}, element("option", { value: "route" }, "route（ルーティング）"), element("option", { value: "authz" }, "authz（認可）")),
    method: element("input", { size: "7", "aria-label": "メソッド" }),
    url: element("input", { size: "48", "aria-label": "URL" }),
    headers: element("textarea", { rows: "3", spellcheck: "false", placeholder: "end-user: jason", "aria-label": "ヘッダー" }),
    proxy: element("select", { "aria-label": "プロキシ" }, ...PROXY_CHOICES.map(([value, label]) => element("option", { value }, label))),
    namespace: element("input", { size: "16", "aria-label": "名前空間" }),
    labels: element("input", { size: "32", placeholder: "app=productpage,version=v1", "aria-label": "Pod のラベル" }),
    gateway: element("input", { size: "32", placeholder: "istio-system/bookinfo-gateway", "aria-label": "Gateway" }),
    options: element("input", { size: "48", placeholder: "--to default/app=httpbin --source-namespace foo", "aria-label": "オプション" }),
  };
  const proxyFields = {
    proxy: field("プロキシ", controls.proxy),
    workload: element("div", { class: "inb-pg__request" }, field("名前空間", controls.namespace), field("Pod のラベル（k=v をカンマ区切り）", controls.labels)),
    gateway: field("Gateway（名前空間/名前）", controls.gateway),
  };
  const figure = element("div", { class: "inb-pg__diagram" });
  const outcome = element("div", { class: "inb-pg__outcome", "aria-live": "polite" });
  const diagnostics = element("ol", { class: "inb-pg__diagnostics" });
  const status = element("p", { class: "inb-pg__status" }, "エンジンはまだ読み込まれていません。");
  mount.replaceChildren(
    element("h2", {}, "YAML"),
    field("example.yaml", controls.example),
    element("details", {}, element("summary", {}, "フィクスチャ（fixtures.yaml）"), controls.fixtures),
    element("h2", {}, "リクエスト"),
    element("div", { class: "inb-pg__request" }, field("コマンド", controls.command), field("メソッド", controls.method), field("URL", controls.url)),
    field("ヘッダー（1 行に 1 つ）", controls.headers),
    proxyFields.proxy,
    proxyFields.workload,
    proxyFields.gateway,
    field("その他のオプション（authz は --to など）", controls.options),
    status,
    element("h2", {}, "結果"),
    outcome,
    figure,
    element("h2", {}, "診断"),
    diagnostics,
  );
  return { controls, proxyFields, outcome, figure, diagnostics, status };
}

function fill(controls, state) {
  controls.example.value = state.files["example.yaml"] || "";
  controls.fixtures.value = state.files["fixtures.yaml"] || "";
  for (const name of FIELDS) controls[name].value = state[name];
}

function read(controls, title) {
  const state = { files: { "fixtures.yaml": controls.fixtures.value, "example.yaml": controls.example.value }, title };
  for (const name of FIELDS) state[name] = controls[name].value;
  return state;
}

// ---------------------------------------------------------------- results

function selectLine(textarea, line) {
  const lines = textarea.value.split("\n");
  const start = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
  textarea.closest("details")?.setAttribute("open", "");
  textarea.focus();
  textarea.setSelectionRange(start, start + (lines[line - 1] || "").length);
}

function showDiagnostics(view, found, controls) {
  view.diagnostics.replaceChildren();
  if (found.length === 0) {
    view.diagnostics.append(element("li", { class: "inb-pg__ok" }, "スキーマ検証とアナライザーで問題は見つかりませんでした。"));
  }
  for (const d of found) {
    const place = `${d.file} の ${d.line} 行目`;
    const label = d.code === "INB1001" ? `YAML の構文エラー（${place}）` : `${d.level === "Error" ? "エラー" : d.level === "Warning" ? "警告" : "情報"}（${place}）`;
    const item = element("li", { class: `inb-pg__diagnostic inb-pg__diagnostic--${d.level.toLowerCase()}`, "data-code": d.code, "data-line": String(d.line) });
    const link = element("a", { href: "#", "data-file": d.file }, `${label} [${d.code}]`);
    link.addEventListener("click", (event) => {
      event.preventDefault();
      const textarea = d.file === "fixtures.yaml" ? controls.fixtures : controls.example;
      selectLine(textarea, d.line);
    });
    item.append(link, " ", d.message);
    if (d.hint) item.append(element("br"), element("small", {}, d.hint));
    view.diagnostics.append(item);
  }
}

function summary(outcome) {
  if ("decision" in outcome) return `${outcome.decision}${outcome.policy ? `（${outcome.policy}）` : ""}`;
  const parts = [outcome.action];
  if (outcome.status) parts.push(String(outcome.status));
  for (const d of outcome.destinations || []) parts.push(`${d.host}${d.subset ? ` ${d.subset}` : ""}:${d.port} ${d.weight}%`);
  if (outcome.virtual_service) parts.push(`${outcome.virtual_service} のルール ${outcome.route_index}`);
  return parts.join(" · ");
}

function showOutcome(view, answer) {
  view.outcome.replaceChildren();
  if (answer.timeout) {
    // engine.js stopped the run and restarted the worker; the message says why, in Japanese.
    view.outcome.append(element("p", { class: "inb-pg__error inb-pg__timeout", role: "alert" }, answer.error));
    return null;
  }
  if (!answer.ok) {
    view.outcome.append(element("p", { class: "inb-pg__error" }, `エンジンのエラー: ${answer.error}`));
    return null;
  }
  const { exit, stdout, stderr } = answer.result;
  if (exit === 2 || !stdout.trim()) {
    const reason = stderr.trim().split("\n").pop() || `終了コード ${exit}`;
    view.outcome.append(element("p", { class: "inb-pg__error" }, `シミュレーションできません: ${reason}`));
    return null;
  }
  const outcome = JSON.parse(stdout);
  const trace = element("ol", { class: "inb-pg__trace" }, ...(outcome.trace || []).map((step) => element("li", {}, step)));
  const raw = element("details", {}, element("summary", {}, "JSON（CLI と同じ出力）"), element("pre", {}, element("code", {}, stdout)));
  view.outcome.append(element("p", { class: "inb-pg__summary" }, summary(outcome)), trace, raw);
  return outcome;
}

// The flowchart of the VirtualService that decided a route outcome, the rule taken marked
// (playground/diagram.py, the site's own diagram source), drawn by the site's Mermaid
// (diagrams.js's window.mermaid). Drawn after the outcome is shown: it never delays it.
let drawn = 0;

async function showDiagram(view, files, outcome, api, mount) {
  view.figure.replaceChildren();
  const answer = outcome && outcome.virtual_service ? await diagram(files, outcome) : null;
  const text = answer && answer.ok ? answer.result.diagram : null;
  api.diagram = text;
  if (text) {
    view.figure.append(element("h2", {}, "図（通ったルールを緑の枠で示します）"));
    const box = element("div", { class: "inb-pg__figure", "data-diagram": text });
    view.figure.append(box);
    try {
      const { svg } = await window.mermaid.render(`inb-pg-diagram-${drawn}`, text);
      box.innerHTML = svg;
    } catch (error) {
      box.append(element("pre", {}, element("code", {}, text)));
    }
  }
  drawn += 1;
  mount.dataset.diagrams = String(drawn);
}

// ---------------------------------------------------------------- live runs

const STYLE = `
.inb-pg__field { display: block; margin: .4em 0; }
.inb-pg__field > span { display: block; font-size: .75rem; color: var(--md-default-fg-color--light); }
.inb-pg__field textarea, .inb-pg__field input { width: 100%; font-family: var(--md-code-font-family, monospace); font-size: .75rem; }
.inb-pg__request { display: grid; grid-template-columns: auto auto 1fr; gap: .6em; }
.inb-pg__summary { font-weight: bold; }
.inb-pg__error, .inb-pg__diagnostic--error { color: var(--md-typeset-color, #c62828); }
.inb-pg__diagnostic--error a { color: #c62828; }
.inb-pg__status { font-size: .75rem; color: var(--md-default-fg-color--light); }
.inb-pg__figure { overflow-x: auto; }
#inb-playground [hidden] { display: none; }
`;

export async function start(mount, root) {
  warm(); // Pyodide starts while the page reads its session and builds the form
  document.head.append(element("style", {}, STYLE));
  const view = buildForm(mount);
  const api = { runs: 0, last: null, root };
  window.inbPlayground = api;
  let state;
  try {
    state = await initialState(root);
  } catch (error) {
    view.status.textContent = String(error.message || error);
    state = { ...EMPTY };
  }
  fill(view.controls, state);
  showProxyFields(view.proxyFields, state);
  let running = false;
  let again = false;
  let timer = null;

  async function once() {
    const current = read(view.controls, state.title);
    const files = { ...current.files };
    mount.dataset.state = "running";
    view.status.textContent = api.runs === 0 ? "エンジン（Pyodide）を読み込んでいます…" : "実行中…";
    const started = performance.now();
    const [answer, checked] = [await run(argvOf(current), files), await run(["check", ...given(files), "--format", "json", "--lang", "ja"], files)];
    const outcome = showOutcome(view, answer);
    let found = [];
    if (checked.ok && checked.result.stdout.trim()) found = JSON.parse(checked.result.stdout).diagnostics;
    showDiagnostics(view, found, view.controls);
    const elapsed = Math.round(performance.now() - started);
    api.runs += 1;
    api.last = { argv: argvOf(current), answer, checked, outcome, diagnostics: found, elapsed_ms: elapsed };
    view.status.textContent = `実行しました（${elapsed} ms）。`;
    history.replaceState(null, "", `#s=${await pack(current)}`);
    mount.dataset.runs = String(api.runs);
    mount.dataset.state = "done";
    await showDiagram(view, files, current.command === "route" ? outcome : null, api, mount);
  }

  async function schedule() {
    if (running) {
      again = true;
      return;
    }
    running = true;
    do {
      again = false;
      await once();
    } while (again);
    running = false;
  }

  mount.addEventListener("input", () => {
    showProxyFields(view.proxyFields, read(view.controls, state.title));
    clearTimeout(timer);
    timer = setTimeout(schedule, 400);
  });
  if (state.files["example.yaml"] || state.files["fixtures.yaml"]) await schedule();
  else view.status.textContent = "YAML を貼り付けると、その場で検証とシミュレーションを実行します。";
}
