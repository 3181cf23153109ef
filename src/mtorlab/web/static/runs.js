// Runs: submit a job (scenarios + their controls), poll, cancel; plot up to 4 runs; CSV;
// the map overlay (change vs control at a chosen time).
import { api, esc, formatError, getLang, onLang, readoutLabel, t } from "./i18n.js";
import { graphNodes, setOverlay } from "./map.js";

const MAX_RUNS = 4;
const MAX_ARMS = 4;
const COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"];
const DEFAULT_READOUTS = ["mtorc1_neuron", "bdnf", "synaptic_protein", "depression_score"];
let runs = []; // {label, scenario, result, control, controlKind}
let chosen = new Set(DEFAULT_READOUTS);
let readouts = [];
let activeJob = null;
let lastJob = null; // the job status shown (redrawn in the other language)
const DRUG_READOUT = /^(conc_plasma|conc_brain|effect):/;

export async function initRuns() {
  readouts = await api("/api/readouts");
  drawPicker();
  document.getElementById("readout-picker").addEventListener("change", (ev) => {
    if (ev.target.checked) chosen.add(ev.target.value); else chosen.delete(ev.target.value);
    plot();
  });
  document.getElementById("cancel-job").addEventListener("click", cancelJob);
  document.getElementById("clear-runs").addEventListener("click", () => { runs = []; refresh(); });
  document.getElementById("csv-download").addEventListener("click", downloadCsv);
  document.getElementById("overlay-run").addEventListener("change", (ev) => {
    const run = runs[Number(ev.target.value)];
    const slider = document.getElementById("overlay-time");
    if (run) { slider.max = String(run.result.time_h.length - 1); slider.value = String(peakIndex(run)); } // at the peak
    applyOverlay();
  });
  document.getElementById("overlay-time").addEventListener("input", applyOverlay);
  document.getElementById("overlay-clear").addEventListener("click", () => {
    document.getElementById("overlay-run").value = "";
    applyOverlay();
  });
  onLang(() => { drawPicker(); refresh(); showJob(lastJob); });
}

// The model's readouts, then the other columns of the runs shown: drug concentrations
// (ng/mL) and the readouts a scenario's model extensions add, each with its run's unit.
function pickerEntries() {
  const known = new Set(readouts.map((r) => r.id));
  const more = [...new Set(runs.flatMap((r) => r.result.columns.filter((c) => !known.has(c))))];
  const unitOf = (id) => runs.find((r) => r.result.units?.[id])?.result.units[id] || "";
  return [...readouts, ...more.map((id) => ({ id, scale: unitOf(id), description: id }))];
}

function drawPicker() {
  document.getElementById("readout-picker").innerHTML = pickerEntries().map((r) =>
    `<label title="${esc(r.description)} (${esc(r.scale)})"><input type="checkbox" value="${esc(r.id)}"
      ${chosen.has(r.id) ? "checked" : ""}> ${esc(readoutLabel(r.id))}</label>`).join("");
}

// The control of a scenario: the same condition untreated, or healthy if it has no treatment.
// Neither has the scenario's drugs, so their concentrations are left out of its outputs.
function controlOf(sc) {
  const { interventions, name, drugs, ...rest } = sc;
  if (Array.isArray(rest.outputs)) {
    rest.outputs = rest.outputs.filter((o) => !DRUG_READOUT.test(o));
    if (!rest.outputs.length) delete rest.outputs;
  }
  if (interventions?.length) return [{ ...rest, name: `${name} (untreated)` }, "untreated"];
  const { condition, ...plain } = rest;
  return [{ ...plain, name: `${name} (healthy)` }, "healthy"];
}

const key = (sc) => JSON.stringify({ ...sc, name: "" });

export async function runScenarios(scenarios) {
  const err = document.getElementById("scenario-error");
  err.textContent = "";
  const arms = [];
  const index = new Map();
  const add = (sc) => {
    const k = key(sc);
    if (!index.has(k)) { index.set(k, arms.length); arms.push(sc); }
    return index.get(k);
  };
  const plan = scenarios.map((sc) => {
    const [ctrl, kind] = controlOf(sc);
    return { sc, i: add(sc), c: add(ctrl), kind };
  });
  if (arms.length > MAX_ARMS) { err.textContent = "at most 4 scenarios and controls per run"; return; }
  try {
    let job = await api("/api/jobs", { json: { scenarios: arms } });
    activeJob = job.id;
    showJob(job);
    while (["queued", "running"].includes(job.status)) {
      await new Promise((r) => setTimeout(r, 150));
      job = await api(`/api/jobs/${job.id}`);
      showJob(job);
    }
    activeJob = null;
    if (job.status === "failed") { err.textContent = formatError(job.error); return; }
    if (job.status !== "done") return;
    for (const p of plan) {
      runs.push({ label: p.sc.name, scenario: p.sc, result: job.results[p.i],
        control: job.results[p.c], controlKind: p.kind });
    }
    runs = runs.slice(-MAX_RUNS);
    // a scenario that lists its outputs wants to see them (its drug concentrations too)
    scenarios.forEach((sc) => (Array.isArray(sc.outputs) ? sc.outputs : []).slice(0, 8).forEach((o) => chosen.add(o)));
    drawPicker();
    refresh();
    const sel = document.getElementById("overlay-run");
    sel.value = String(runs.length - 1);
    const slider = document.getElementById("overlay-time");
    slider.max = String(runs.at(-1).result.time_h.length - 1);
    slider.value = String(peakIndex(runs.at(-1)));
    applyOverlay();
  } catch (e) {
    activeJob = null;
    showJob(null);
    err.textContent = formatError(e);
  }
}

function showJob(job) {
  lastJob = job;
  const status = document.getElementById("job-status");
  const cancel = document.getElementById("cancel-job");
  if (!job) { status.textContent = ""; cancel.hidden = true; return; }
  const busy = ["queued", "running"].includes(job.status);
  status.textContent = `${t(job.status)} ${job.progress.done}/${job.progress.total}`;
  status.dataset.status = job.status;
  cancel.hidden = !busy;
}

async function cancelJob() {
  if (activeJob) showJob(await api(`/api/jobs/${activeJob}`, { method: "DELETE" }));
}

/** A run's warnings in the dashboard's language (the Chinese ones where the API gave them). */
function warningsOf(result) {
  return (getLang() === "zh" && result.warnings_zh) || result.warnings || [];
}

function refresh() {
  document.getElementById("runs").innerHTML = runs.map((r, i) =>
    `<li><i class="swatch" style="background:${COLOURS[i]}"></i>${esc(r.label)}
      <button type="button" data-remove="${i}">×</button>${warningsOf(r.result).map((w) =>
        `<div class="run-warning">${esc(w)}</div>`).join("")}</li>`).join("");
  document.querySelectorAll("[data-remove]").forEach((b) => b.addEventListener("click", () => {
    runs.splice(Number(b.dataset.remove), 1);
    refresh();
  }));
  const sel = document.getElementById("overlay-run");
  const keep = sel.value;
  sel.innerHTML = `<option value="">—</option>` + runs.map((r, i) => `<option value="${i}">${esc(r.label)}</option>`).join("");
  sel.value = runs[Number(keep)] ? keep : "";
  plot();
  applyOverlay();
}

const MAX_DOSE_MARKS = 60; // per run and panel (a daily course over months would hide the lines)

function plot() {
  const el = document.getElementById("plot");
  const ids = [...chosen].filter((id) => runs.some((r) => r.result.columns.includes(id))).slice(0, 8);
  if (!runs.length || !ids.length) { Plotly.purge(el); el.innerHTML = ""; return; }
  const days = runs.some((r) => r.result.time_h.at(-1) > 48);
  const x = (h) => (days ? h / 24 : h);
  const cols = ids.length > 2 ? 2 : 1;
  const rows = Math.ceil(ids.length / cols);
  const traces = [];
  const layout = { grid: { rows, columns: cols, pattern: "independent" }, height: 230 * rows + 60,
    margin: { t: 40, l: 55, r: 10, b: 40 }, legend: { orientation: "h", y: -0.08 }, annotations: [], shapes: [] };
  const unitOf = (id) => runs.find((r) => r.result.units?.[id])?.result.units[id] || "";
  ids.forEach((id, k) => {
    const ax = k === 0 ? "" : String(k + 1);
    runs.forEach((r, i) => {
      if (!r.result.columns.includes(id)) return;
      traces.push({ x: r.result.time_h.map(x), y: r.result.values[id],
        type: "scatter", mode: "lines", name: r.label, legendgroup: r.label, showlegend: k === 0,
        line: { color: COLOURS[i], width: 2 }, xaxis: `x${ax}`, yaxis: `y${ax}` });
      if (r.control?.columns.includes(id)) { // the untreated (or healthy) control, dashed
        traces.push({ x: r.control.time_h.map(x), y: r.control.values[id], type: "scatter", mode: "lines",
          name: `${r.label} (${t(r.controlKind)})`, legendgroup: `${r.label}-control`, showlegend: k === 0,
          line: { color: COLOURS[i], width: 1.2, dash: "dash" }, xaxis: `x${ax}`, yaxis: `y${ax}` });
      }
      (r.result.doses || []).slice(0, MAX_DOSE_MARKS).forEach((d) => layout.shapes.push({ type: "line",
        xref: `x${ax}`, yref: `y${ax} domain`, x0: x(d.time_h), x1: x(d.time_h), y0: 0, y1: 1,
        line: { color: COLOURS[i], width: 1, dash: "dot" }, opacity: 0.6 }));
    });
    const unit = unitOf(id);
    layout[`xaxis${ax}`] = { title: { text: days ? t("time_d") : t("time_h") } };
    layout[`yaxis${ax}`] = { title: { text: unit ? `${readoutLabel(id)} (${unit})` : readoutLabel(id), font: { size: 11 } } };
  });
  el.dataset.doseMarks = String(layout.shapes.length);
  Plotly.react(el, traces, layout, { responsive: true, displaylogo: false });
}

function downloadCsv() {
  if (!runs.length) return;
  const ids = [...new Set(runs.flatMap((r) => r.result.columns))];
  const lines = [["run", "time_h", ...ids].join(",")];
  runs.forEach((r) => r.result.time_h.forEach((h, j) => {
    lines.push([JSON.stringify(r.label), h, ...ids.map((id) => r.result.values[id]?.[j] ?? "")].join(","));
  }));
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([lines.join("\n") + "\n"], { type: "text/csv" }));
  a.download = "mtorlab-runs.csv";
  a.click();
  URL.revokeObjectURL(a.href);
}

// Symmetric relative change (bounded to ±200%, finite where the control is near zero).
function relChange(v, c) {
  const scale = (Math.abs(v) + Math.abs(c)) / 2;
  return scale < 1e-12 ? 0 : (v - c) / scale;
}

// The time index where the run differs most from its control (mean |relative change|).
function peakIndex(run) {
  const ids = graphNodes().map((n) => n.readout).filter((id) => id && run.result.values[id] && run.control.values[id]);
  let best = 0;
  let bestScore = -1;
  run.result.time_h.forEach((_, j) => {
    let s = 0;
    ids.forEach((id) => {
      const v = run.result.values[id][j];
      const c = run.control.values[id][Math.min(j, run.control.time_h.length - 1)];
      if (v !== null && c !== null) s += Math.abs(relChange(v, c));
    });
    if (s > bestScore) { bestScore = s; best = j; }
  });
  return best;
}

function applyOverlay() {
  const sel = document.getElementById("overlay-run");
  const slider = document.getElementById("overlay-time");
  const label = document.getElementById("overlay-time-label");
  const legend = document.getElementById("overlay-legend");
  const run = runs[Number(sel.value)];
  if (sel.value === "" || !run) { setOverlay(null); label.textContent = ""; legend.textContent = ""; return; }
  const times = run.result.time_h;
  slider.max = String(times.length - 1);
  if (Number(slider.value) > times.length - 1) slider.value = String(times.length - 1);
  const j = Number(slider.value);
  const h = times[j];
  label.textContent = h >= 48 ? `${(h / 24).toFixed(1)} d` : `${h.toFixed(1)} h`;
  const values = {};
  graphNodes().forEach((n) => {
    const id = n.readout;
    if (!id || !run.result.values[id] || !run.control.values[id]) return;
    const v = run.result.values[id][j];
    const c = run.control.values[id][Math.min(j, run.control.time_h.length - 1)];
    if (v === null || c === null) return;
    values[n.id] = relChange(v, c);
  });
  setOverlay(values);
  legend.innerHTML = `<span class="grad"></span> −100% … +100% ${esc(t(run.controlKind === "untreated" ? "overlay_vs_untreated" : "overlay_vs_healthy"))}`;
}
