// The playground's proxy controls: which proxy the route request goes through, as the CLI's
// options say it (docs/reference/cli.md): a sidecar (--from NS/labels), an ambient workload
// (--from with the pod label istio.io/dataplane-mode=ambient: ztunnel, then the destination's
// waypoint if it has one, routing/ambient.py), or a gateway (--gateway NS/NAME). The state keeps
// the choice in its own fields; options that came with a check or an old link (--from, --gateway
// in the options text) are lifted into them.

export const AMBIENT_LABEL = "istio.io/dataplane-mode=ambient";
export const PROXY_DEFAULTS = { proxy: "sidecar", namespace: "default", labels: "", gateway: "" };

// The options of `words` without the proxy's, and the proxy fields they named.
export function liftProxy(words) {
  const rest = [];
  const found = {};
  for (let i = 0; i < words.length; i++) {
    const [word, value] = [words[i], words[i + 1]];
    if ((word === "--from" || word === "--gateway") && value !== undefined) {
      Object.assign(found, word === "--gateway" ? { proxy: "gateway", gateway: value } : fromFields(value));
      i += 1;
    } else {
      rest.push(word);
    }
  }
  return { rest, found };
}

function fromFields(value) {
  const [namespace, labelText = ""] = value.split(/\/(.*)/s);
  const labels = labelText.split(",").map((l) => l.trim()).filter(Boolean);
  const ambient = labels.includes(AMBIENT_LABEL);
  return { proxy: ambient ? "ambient" : "sidecar", namespace: namespace || "default", labels: labels.filter((l) => l !== AMBIENT_LABEL).join(",") };
}

// The CLI options for the proxy of `state` (route only: authz names its workload with --to).
export function proxyOptions(state) {
  if (state.command !== "route") return [];
  if (state.proxy === "gateway") return state.gateway.trim() ? ["--gateway", state.gateway.trim()] : [];
  const labels = state.labels.split(",").map((l) => l.trim()).filter(Boolean);
  if (state.proxy === "ambient") labels.unshift(AMBIENT_LABEL);
  const namespace = state.namespace.trim() || "default";
  if (namespace === "default" && !labels.length) return []; // the CLI's own default
  return ["--from", labels.length ? `${namespace}/${labels.join(",")}` : namespace];
}

export const PROXY_CHOICES = [
  ["sidecar", "サイドカー（--from）"],
  ["ambient", "アンビエント（ztunnel → waypoint）"],
  ["gateway", "ゲートウェイ（--gateway）"],
];

// Show the fields the chosen proxy uses, hide the others (and all of them for authz).
export function showProxyFields(fields, state) {
  const route = state.command === "route";
  fields.proxy.hidden = !route;
  fields.workload.hidden = !route || state.proxy === "gateway";
  fields.gateway.hidden = !route || state.proxy !== "gateway";
}
