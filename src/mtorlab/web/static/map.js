// The pathway map: Cytoscape graph, search, evidence panel, path finder, run overlay.
import { api, esc, getLang, onLang, t } from "./i18n.js";

export const CONTEXT_COLOURS = {
  neuron: "#4e79a7", glia: "#e15759", fate: "#b07aa1", periphery: "#59a14f",
  behaviour: "#f28e2b", intervention: "#edc948", condition: "#9c755f",
};
const SHAPES = {
  drug: "diamond", intervention: "diamond", phenotype: "round-rectangle", process: "ellipse",
  condition: "hexagon", cytokine: "octagon", complex: "barrel", small_molecule: "triangle",
  rna: "vee", protein: "round-rectangle",
};

let cy = null;
let graph = { nodes: [], edges: [] };
let overlay = null; // {values: {entity: relChange}}
let current = null; // {type, id} shown in the evidence panel

const nodeLabel = (n) => (getLang() === "zh" ? n.name_zh : n.name_en);

export function entityName(id) {
  const n = graph.nodes.find((x) => x.id === id);
  return n ? nodeLabel(n) : id;
}

export function graphNodes() { return graph.nodes; }

// The map's layout from the server (Graphviz): a box per node holding its marker and its
// label, a compartment per context; null where the server has no Graphviz.
function usable(lay, nodes) {
  return lay?.source && nodes.every((n) => lay.nodes[n.id]) ? lay : null;
}

const MARKER_TOP = 3; // the marker's top edge below its box's top (px)
const groupId = (context) => `ctx:${context}`;

export async function initMap() {
  const [g, laid] = await Promise.all([api("/api/kb/graph"), api("/api/kb/layout").catch(() => null)]);
  graph = g;
  const lay = usable(laid, graph.nodes);
  const groups = lay ? lay.groups.map((x) => ({ data: { id: groupId(x.context), group: true,
    context: x.context, label: t(`ctx_${x.context}`), colour: CONTEXT_COLOURS[x.context] } })) : [];
  cy = cytoscape({
    container: document.getElementById("cy"),
    elements: [
      ...groups,
      ...graph.nodes.map((n) => ({ data: { ...n, label: nodeLabel(n), colour: CONTEXT_COLOURS[n.context],
        ...(lay ? { parent: groupId(n.context) } : {}) } })),
      ...graph.edges.map((e) => ({ data: { ...e } })),
    ],
    style: [
      { selector: "node", style: {
        label: "data(label)", "background-color": "data(colour)", shape: (n) => SHAPES[n.data("kind")] || "ellipse",
        "font-size": 11, "min-zoomed-font-size": 7, color: "#222", "text-valign": "bottom", "text-margin-y": 3,
        width: 22, height: 22, "border-width": 1, "border-color": "#444",
        "text-background-color": "#fff", "text-background-opacity": 0.7, "text-background-padding": 1,
        "text-wrap": "wrap", "text-max-width": "120px", "text-overflow-wrap": "anywhere",
      } },
      { selector: "node[?group]", style: {
        shape: "round-rectangle", "background-color": "data(colour)", "background-opacity": 0.06,
        "border-color": "data(colour)", "border-width": 1.5, padding: 14, label: "data(label)",
        "text-valign": "top", "text-halign": "center", "text-margin-y": -6, "font-size": 26,
        "font-weight": "bold", color: "data(colour)", "text-background-opacity": 0,
        "text-wrap": "none", "min-zoomed-font-size": 6,
      } },
      { selector: "edge", style: {
        width: 1.4, "curve-style": "bezier", "line-color": "#6a9f58",
        "target-arrow-color": "#6a9f58", "target-arrow-shape": "triangle", "arrow-scale": 0.9,
        opacity: 0.75,
      } },
      { selector: 'edge[sign = "-"]', style: {
        "line-color": "#c0392b", "target-arrow-color": "#c0392b", "target-arrow-shape": "tee",
      } },
      { selector: "edge[?direct]", style: {} },
      { selector: "edge[!direct]", style: { "line-style": "dashed" } },
      { selector: ":selected", style: { "border-width": 4, "border-color": "#111", width: 3, "z-index": 10 } },
      { selector: "node:selected", style: { width: 32, height: 32 } },
      { selector: ".faded", style: { opacity: 0.15 } },
      { selector: "node.path", style: { "border-width": 4, "border-color": "#111", width: 30, height: 30 } },
      { selector: "edge.path", style: { width: 4, opacity: 1, "z-index": 9 } },
      { selector: "node.overlaid", style: { "background-color": "data(overlay)", "border-width": 2 } },
    ],
    // The server's Graphviz layout (each marker at the top of its box, the label under it),
    // else nodes start in one band per context and cose refines from there without
    // randomising: either way every load draws the same map.
    layout: { name: "preset", positions: lay ? boxPositions(lay) : initialPositions(graph.nodes) },
  });
  if (!lay) {
    cy.layout({ name: "cose", animate: false, randomize: false, nodeRepulsion: () => 9000,
      idealEdgeLength: () => 70, numIter: 1500, fit: true }).run();
  } else {
    cy.fit(undefined, 20);
  }
  cy.on("tap", "node[!group]", (ev) => selectEntity(ev.target.id(), { center: false }));
  cy.on("tap", "edge", (ev) => showMechanism(ev.target.id()));
  window.mtorlabMap = cy; // for debugging and the browser tests
  setupSearch();
  setupPath();
  drawLegend();
  onLang(() => {
    cy.nodes().forEach((n) => n.data("label", overlayLabel(n)));
    drawLegend();
    if (current) (current.type === "entity" ? showEntity : showMechanism)(current.id);
  });
}

function boxPositions(lay) {
  return Object.fromEntries(Object.entries(lay.nodes).map(([id, b]) =>
    [id, { x: b.x + b.w / 2, y: b.y + MARKER_TOP + 11 }])); // the marker is 22 px
}

const BANDS = ["intervention", "condition", "periphery", "glia", "neuron", "fate", "behaviour"];

export function initialPositions(nodes) {
  const byBand = new Map(BANDS.map((b) => [b, []]));
  for (const n of [...nodes].sort((a, b) => a.id.localeCompare(b.id))) {
    (byBand.get(n.context) || byBand.get("neuron")).push(n.id);
  }
  const pos = {};
  BANDS.forEach((band, col) => {
    const ids = byBand.get(band);
    const perCol = Math.max(1, Math.ceil(Math.sqrt(ids.length * 2)));
    ids.forEach((id, i) => {
      pos[id] = { x: col * 260 + Math.floor(i / perCol) * 60, y: (i % perCol) * 60 };
    });
  });
  return pos;
}

function overlayLabel(n) {
  if (n.data("group")) return t(`ctx_${n.data("context")}`);
  const base = nodeLabel(n.data());
  const v = overlay?.values[n.id()];
  if (v === undefined || v === null) return base;
  const pct = Math.round(v * 100);
  return `${base} ${pct > 0 ? "+" : ""}${pct}%`;
}

function drawLegend() {
  const items = Object.entries(CONTEXT_COLOURS).map(([k, c]) =>
    `<span class="chip"><i style="background:${c}"></i>${esc(t("ctx_" + k))}</span>`).join("");
  document.getElementById("legend").innerHTML = `<strong>${esc(t("legend_title"))}</strong><div>${items}</div>
    <div><span class="chip"><i class="pos"></i>→ ${esc(t("edge_pos"))}</span>
    <span class="chip"><i class="neg"></i>⊣ ${esc(t("edge_neg"))}</span></div>`;
}

function matches(query) {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  const score = (n) => {
    const names = [n.id, n.name_en, n.name_zh, ...n.synonyms].map((s) => s.toLowerCase());
    if (names.some((s) => s === q)) return 0;
    if (names.some((s) => s.startsWith(q))) return 1;
    if (names.some((s) => s.includes(q))) return 2;
    return 9;
  };
  return graph.nodes.map((n) => [score(n), n]).filter(([s]) => s < 9)
    .sort((a, b) => a[0] - b[0] || a[1].id.localeCompare(b[1].id)).slice(0, 8).map(([, n]) => n);
}

function setupSearch() {
  const input = document.getElementById("search");
  const list = document.getElementById("search-results");
  const render = () => {
    list.innerHTML = matches(input.value).map((n) =>
      `<li><button data-id="${esc(n.id)}">${esc(nodeLabel(n))} <small>${esc(n.id)} · ${esc(n.kind)}</small></button></li>`).join("");
  };
  input.addEventListener("input", render);
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter") {
      const first = matches(input.value)[0];
      if (first) selectEntity(first.id);
    }
  });
  list.addEventListener("click", (ev) => {
    const btn = ev.target.closest("button[data-id]");
    if (btn) selectEntity(btn.dataset.id);
  });
  onLang(render);
}

export function selectEntity(id, { center = true } = {}) {
  const node = cy.getElementById(id);
  if (node.empty()) return;
  cy.elements().unselect();
  node.select();
  if (center) cy.animate({ center: { eles: node }, zoom: Math.max(cy.zoom(), 1.2) }, { duration: 250 });
  showEntity(id);
}

function evidenceHtml(ev) {
  const where = [ev.section ? `§${ev.section}` : "", ev.refs?.length ? `[${ev.refs.join(", ")}]` : "",
    ev.citation || ""].filter(Boolean).join(" ");
  const quote = ev.quote_zh ? `<blockquote lang="zh" class="quote">${esc(ev.quote_zh)}</blockquote>` : "";
  const para = `<p class="para">${esc(ev.text_en)}</p>`;
  const body = getLang() === "zh" ? quote + para : para + quote;
  return `<div class="evidence"><div class="where">${esc(where)}</div>${body}</div>`;
}

function mechanismHtml(m) {
  const names = getLang() === "zh" ? [m.subject_name_zh, m.object_name_zh] : [m.subject_name_en, m.object_name_en];
  const arrow = m.sign === "-" ? "⊣" : "→";
  const ev = (m.evidence || []).map(evidenceHtml).join("");
  const tags = [...(m.claims || []), ...(m.tensions || [])].map((c) => `<span class="tag">${esc(c)}</span>`).join("");
  return `<div class="mech" data-mech="${esc(m.id)}"><div class="mech-head">
    <a href="#" data-mech-link="${esc(m.id)}">${esc(names[0])} ${arrow} ${esc(names[1])}</a>
    <small>${esc(m.type)}${m.direct ? "" : " · net"}</small> ${tags}</div>${ev}</div>`;
}

function claimsHtml(claims) {
  if (!claims.length) return "";
  return `<h4>${esc(t("claims"))}</h4><ul class="claims">` + claims.map((c) => {
    const text = getLang() === "zh" && c.evidence?.[0]?.quote_zh ? c.evidence[0].quote_zh : c.text_en;
    return `<li><span class="tag">${esc(c.id)}</span> ${esc(text)}</li>`;
  }).join("") + "</ul>";
}

function tensionsHtml(tensions) {
  if (!tensions.length) return "";
  return `<h4>${esc(t("tensions"))}</h4>` + tensions.map((x) => `<div class="tension">
    <span class="tag warn">${esc(x.id)}</span> <strong>${esc(x.title_en)}</strong>
    <small>(${esc(t(x.resolution.status))})</small><p>${esc(x.resolution.explanation_en)}</p></div>`).join("");
}

function bindMechLinks(panel) {
  panel.querySelectorAll("[data-mech-link]").forEach((a) => a.addEventListener("click", (ev) => {
    ev.preventDefault();
    const edge = cy.getElementById(a.dataset.mechLink);
    cy.elements().unselect();
    edge.select();
    showMechanism(a.dataset.mechLink);
  }));
}

export async function showEntity(id) {
  current = { type: "entity", id };
  const panel = document.getElementById("evidence");
  const d = await api(`/api/kb/entity/${encodeURIComponent(id)}`);
  const e = d.entity;
  const title = getLang() === "zh" ? `${e.name_zh} <small>${esc(e.name_en)}</small>` : `${esc(e.name_en)} <small>${esc(e.name_zh)}</small>`;
  panel.innerHTML = `<h3 data-entity="${esc(e.id)}">${title}</h3>
    <p class="meta">${esc(t("kind"))}: ${esc(e.kind)} · ${esc(t("context"))}: ${esc(t("ctx_" + d.context))}
    ${d.readout ? ` · ${esc(t("readout"))}: <code>${esc(d.readout)}</code>` : ""}</p>
    <h4>${esc(t("mechanisms"))} (${d.mechanisms.length})</h4>${d.mechanisms.map(mechanismHtml).join("")}
    ${claimsHtml(d.claims)}${tensionsHtml(d.tensions)}`;
  bindMechLinks(panel);
}

export async function showMechanism(id) {
  current = { type: "mechanism", id };
  const panel = document.getElementById("evidence");
  const d = await api(`/api/kb/mechanism/${encodeURIComponent(id)}`);
  panel.innerHTML = `<h3>${esc(id)}</h3>${mechanismHtml(d.mechanism)}${claimsHtml(d.claims)}${tensionsHtml(d.tensions)}`;
  bindMechLinks(panel);
}

function setupPath() {
  document.getElementById("path-go").addEventListener("click", findPath);
}

export async function findPath() {
  const out = document.getElementById("path-result");
  const source = document.getElementById("path-from").value;
  const target = document.getElementById("path-to").value;
  cy.elements().removeClass("path faded");
  try {
    const d = await api(`/api/kb/path?source=${encodeURIComponent(source)}&target=${encodeURIComponent(target)}`);
    if (!d.paths.length) { out.textContent = t("path_none"); return; }
    const best = d.paths[0];
    cy.elements().addClass("faded");
    best.nodes.forEach((n) => cy.getElementById(n).removeClass("faded").addClass("path"));
    best.steps.forEach((m) => cy.getElementById(m.id).removeClass("faded").addClass("path"));
    cy.animate({ fit: { eles: cy.elements(".path"), padding: 60 } }, { duration: 300 });
    out.innerHTML = d.paths.map((p, i) => `<div class="pathrow ${i ? "alt" : ""}"><strong>${p.sign === "-" ? "⊣" : "→"}</strong> ` +
      p.steps.map((m) => `<a href="#" data-mech-link="${esc(m.id)}">${esc(entityName(m.subject))} ${m.sign === "-" ? "⊣" : "→"}</a>`).join(" ") +
      ` ${esc(entityName(p.nodes.at(-1)))}</div>`).join("");
    bindMechLinks(out);
  } catch (err) {
    out.innerHTML = `<span class="error">${esc(err.message)}</span>`;
  }
}

// values: {entity id: relative change}; null clears.
export function setOverlay(values) {
  overlay = values ? { values } : null;
  cy.nodes("[!group]").forEach((n) => {
    const v = overlay?.values[n.id()];
    if (v === undefined || v === null) {
      n.removeClass("overlaid");
    } else {
      n.data("overlay", divergingColour(v));
      n.addClass("overlaid");
    }
    n.data("label", overlayLabel(n));
  });
}

export function divergingColour(v) {
  const x = Math.max(-1, Math.min(1, v));
  const mix = (a, b, f) => Math.round(a + (b - a) * f);
  const [lo, mid, hi] = [[33, 102, 172], [247, 247, 247], [178, 24, 43]];
  const [from, to, f] = x < 0 ? [mid, lo, -x] : [mid, hi, x];
  return `rgb(${mix(from[0], to[0], f)},${mix(from[1], to[1], f)},${mix(from[2], to[2], f)})`;
}
