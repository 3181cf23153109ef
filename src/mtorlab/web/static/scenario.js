// The scenario builder: form ⇄ scenario mapping, interventions rows, presets, YAML.
import { api, esc, formatError, getLang, onLang, t } from "./i18n.js";

const ROUTES = ["iv", "ip", "po", "intranasal", "icv", "sc", "im"];
const SLIDERS = ["chronic_stress", "inflammation", "oxidative_stress"];
let library = [];
let yamlText = "";
let renderTimer = null;
let extras = {}; // fields of an uploaded file that the form has no control for (kept as written)
const EXTRA_FIELDS = ["description", "output_step", "outputs", "drugs", "extensions"];
const CONDITION_DEFAULTS = { chronic_stress: 0, inflammation: 0, oxidative_stress: 0,
  high_fat_diet: false, tbi: false, bdnf_genotype: "val/val" };

export const PRESETS = {
  stress: {
    label: ["Chronic stress, 7 days (no drug)", "慢性应激 7 天（无药物）"],
    scenarios: [{ name: "chronic-stress", species: "mouse", duration: "7 d", condition: { chronic_stress: 0.8 } }],
  },
  ketamine: {
    label: ["Ketamine 10 mg/kg ip, stressed mouse", "氯胺酮 10 mg/kg 腹腔注射，应激小鼠"],
    scenarios: [{ name: "ketamine-mouse", species: "mouse", duration: "7 d", condition: { chronic_stress: 0.8 },
      interventions: [{ drug: "ketamine", dose: "10 mg/kg", route: "ip", at: "0 h" }] }],
  },
  compare: {
    label: ["Ketamine vs esketamine, human iv (runs both)", "氯胺酮 vs 艾司氯胺酮，人静脉（同时运行）"],
    scenarios: [
      { name: "ketamine-0.5", species: "human", duration: "14 d", condition: { chronic_stress: 0.6 },
        interventions: [{ drug: "ketamine", dose: "0.5 mg/kg", route: "iv", at: "0 h", over: "40 min" }] },
      { name: "esketamine-0.25", species: "human", duration: "14 d", condition: { chronic_stress: 0.6 },
        interventions: [{ drug: "esketamine", dose: "0.25 mg/kg", route: "iv", at: "0 h", over: "40 min" }] },
    ],
  },
  rapamycin: {
    label: ["Inflammation + weekly PEG-liposomal rapamycin", "炎症 + 每周 PEG 脂质体雷帕霉素"],
    scenarios: [{ name: "rapamycin-weekly", species: "human", duration: "21 d", condition: { inflammation: 0.6 },
      interventions: [{ drug: "rapamycin", dose: "2 mg", route: "po", formulation: "peg_liposome",
        schedule: { start: "0 d", every: "7 d", count: 3 } }] }],
  },
};

const form = () => document.getElementById("scenario-form");

export async function initScenario({ onPresetRun }) {
  library = await api("/api/interventions");
  const sliders = document.getElementById("condition-sliders");
  sliders.innerHTML = SLIDERS.map((k) => `<label class="slider"><span data-i18n="c_${k}">${esc(t("c_" + k))}</span>
    <input type="range" name="${k}" min="0" max="1" step="0.05" value="0"><output name="${k}_out">0</output></label>`).join("");
  fillPresets();
  onLang(() => { fillPresets(); form().querySelectorAll(".iv-row").forEach(relabelRow); });
  form().addEventListener("input", (ev) => {
    const out = form().elements[`${ev.target.name}_out`];
    if (out) out.value = ev.target.value;
    scheduleRender();
  });
  form().addEventListener("change", scheduleRender);
  document.getElementById("add-intervention").addEventListener("click", () => { addRow({}); scheduleRender(); });
  document.getElementById("preset").addEventListener("change", (ev) => {
    const p = PRESETS[ev.target.value];
    if (!p) return;
    setScenario(p.scenarios[0]);
    if (p.scenarios.length > 1) onPresetRun(p.scenarios);
  });
  document.getElementById("yaml-download").addEventListener("click", downloadYaml);
  document.getElementById("yaml-upload").addEventListener("change", uploadYaml);
  setScenario(PRESETS.ketamine.scenarios[0]);
}

function fillPresets() {
  const sel = document.getElementById("preset");
  const i = getLang() === "zh" ? 1 : 0;
  sel.innerHTML = `<option value="">—</option>` + Object.entries(PRESETS)
    .map(([k, p]) => `<option value="${k}">${esc(p.label[i])}</option>`).join("");
}

// The scenario's own drugs (its `drugs:` block) as library entries of the drug picker.
function ownDrugs() {
  return (Array.isArray(extras.drugs) ? extras.drugs : []).filter((d) => d && typeof d.id === "string")
    .map((d) => ({ id: d.id, kind: d.kind || "drug", name_en: `${d.name_en || d.id} (${t("own_drug")})`,
      name_zh: `${d.name_zh || d.id}（${t("own_drug")}）`, routes: d.routes || [],
      formulations: (d.formulations || []).map((f) => f.id) }));
}

// The built-in library with the scenario's own drugs (an own drug replaces a built-in one).
function entries() {
  const own = ownDrugs();
  return [...library.filter((d) => !own.some((o) => o.id === d.id)), ...own];
}

function drugOptions(selected) {
  const i = getLang() === "zh" ? "name_zh" : "name_en";
  return entries().map((d) => `<option value="${esc(d.id)}" ${d.id === selected ? "selected" : ""}>${esc(d[i])}</option>`).join("");
}

function addRow(iv) {
  const row = document.createElement("div");
  row.className = "iv-row";
  const id = iv.drug || iv.intervention || "ketamine";
  const repeat = Boolean(iv.schedule);
  const s = iv.schedule || {};
  row.innerHTML = `
    <label><span data-i18n="i_drug"></span> <select name="iv_drug">${drugOptions(id)}</select></label>
    <label><span data-i18n="i_dose"></span> <input name="iv_dose" size="9" value="${esc(iv.dose || "10 mg/kg")}"></label>
    <label><span data-i18n="i_route"></span> <select name="iv_route"><option value="">—</option>${ROUTES.map((r) =>
      `<option ${r === iv.route ? "selected" : ""}>${r}</option>`).join("")}</select></label>
    <label><span data-i18n="i_formulation"></span> <select name="iv_formulation"></select></label>
    <label><span data-i18n="i_timing"></span> <select name="iv_mode">
      <option value="once" ${repeat ? "" : "selected"} data-i18n="i_once"></option>
      <option value="repeat" ${repeat ? "selected" : ""} data-i18n="i_repeat"></option></select></label>
    <span class="once"><input name="iv_at" size="6" value="${esc(iv.at || "0 h")}" aria-label="at"></span>
    <span class="repeat"><label><span data-i18n="i_start"></span> <input name="iv_start" size="5" value="${esc(s.start || "0 d")}"></label>
      <label><span data-i18n="i_every"></span> <input name="iv_every" size="5" value="${esc(s.every || "1 d")}"></label>
      <label><span data-i18n="i_count"></span> <input name="iv_count" type="number" min="1" max="10000" value="${esc(s.count || 7)}"></label></span>
    <label><span data-i18n="i_over"></span> <input name="iv_over" size="7" value="${esc(iv.over || "")}" placeholder="bolus"></label>
    <button type="button" class="iv-remove" data-i18n="i_remove"></button>`;
  row.querySelector(".iv-remove").addEventListener("click", () => { row.remove(); scheduleRender(); });
  row.querySelector("[name=iv_drug]").addEventListener("change", () => fillFormulations(row, ""));
  row.querySelector("[name=iv_mode]").addEventListener("change", () => showMode(row));
  document.getElementById("interventions").appendChild(row);
  fillFormulations(row, iv.formulation || "");
  showMode(row);
  relabelRow(row);
}

function relabelRow(row) {
  row.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
  const sel = row.querySelector("[name=iv_drug]");
  const value = sel.value;
  sel.innerHTML = drugOptions(value);
}

function fillFormulations(row, selected) {
  const entry = entries().find((d) => d.id === row.querySelector("[name=iv_drug]").value);
  const forms = entry ? entry.formulations : [];
  row.querySelector("[name=iv_formulation]").innerHTML = `<option value="">—</option>` +
    forms.map((f) => `<option ${f === selected ? "selected" : ""}>${esc(f)}</option>`).join("");
}

function showMode(row) {
  const repeat = row.querySelector("[name=iv_mode]").value === "repeat";
  row.querySelector(".once").hidden = repeat;
  row.querySelector(".repeat").hidden = !repeat;
}

function rowValue(row) {
  const v = (n) => row.querySelector(`[name=${n}]`).value.trim();
  const id = v("iv_drug");
  const entry = entries().find((d) => d.id === id);
  const iv = { [entry?.kind === "intervention" ? "intervention" : "drug"]: id, dose: v("iv_dose") };
  if (v("iv_route")) iv.route = v("iv_route");
  if (v("iv_formulation")) iv.formulation = v("iv_formulation");
  if (v("iv_mode") === "repeat") {
    iv.schedule = { start: v("iv_start"), every: v("iv_every"), count: Number(v("iv_count")) };
  } else {
    iv.at = v("iv_at");
  }
  if (v("iv_over")) iv.over = v("iv_over");
  return iv;
}

// The form as a scenario mapping (the scenario-file format).
export function getScenario() {
  const f = form().elements;
  const condition = {};
  SLIDERS.forEach((k) => { if (Number(f[k].value) > 0) condition[k] = Number(f[k].value); });
  if (f.high_fat_diet.checked) condition.high_fat_diet = true;
  if (f.tbi.checked) condition.tbi = true;
  if (f.bdnf_genotype.value !== "val/val") condition.bdnf_genotype = f.bdnf_genotype.value;
  const sc = { name: f.name.value.trim() || "scenario", species: f.species.value,
    duration: `${f.duration_value.value} ${f.duration_unit.value}` };
  if (Object.keys(condition).length) sc.condition = condition;
  const ivs = [...form().querySelectorAll(".iv-row")].map(rowValue);
  if (ivs.length) sc.interventions = ivs;
  return { ...sc, ...extras };
}

export function setScenario(sc) {
  const f = form().elements;
  extras = Object.fromEntries(EXTRA_FIELDS.filter((k) => k in sc).map((k) => [k, sc[k]]));
  f.name.value = sc.name || "scenario";
  f.species.value = sc.species || "mouse";
  const hours = durationHours(sc.duration ?? "7 d");
  if (hours !== null) {
    const days = hours >= 24 && Number.isInteger(hours / 24 * 1e6);
    f.duration_value.value = String(days ? hours / 24 : hours);
    f.duration_unit.value = days ? "d" : "h";
  }
  const c = sc.condition || {};
  SLIDERS.forEach((k) => {
    const value = Number(c[k] ?? 0);
    f[k].step = Math.abs(value * 20 - Math.round(value * 20)) < 1e-9 ? "0.05" : "any"; // keep 0.33 as 0.33
    f[k].value = value;
    f[`${k}_out`].value = value;
  });
  f.high_fat_diet.checked = Boolean(c.high_fat_diet);
  f.tbi.checked = Boolean(c.tbi);
  f.bdnf_genotype.value = c.bdnf_genotype || "val/val";
  document.getElementById("interventions").innerHTML = "";
  (sc.interventions || []).forEach(addRow);
  scheduleRender(0);
}

// An upload's refusal stays on screen until the form is edited: a preview render that was
// scheduled or in flight before the upload must not wipe it (it did, on a loaded machine).
let uploadNotice = "";

function scheduleRender(delay = 200) {
  uploadNotice = "";
  clearTimeout(renderTimer);
  renderTimer = setTimeout(renderYaml, delay);
}

async function renderYaml() {
  const out = document.getElementById("yaml-preview");
  const err = document.getElementById("scenario-error");
  try {
    const d = await api("/api/scenario/render", { json: getScenario() });
    yamlText = d.yaml;
    out.textContent = d.yaml;
    err.textContent = d.error ? formatError(d.error) : uploadNotice;
  } catch (e) {
    err.textContent = formatError(e);
  }
}

function downloadYaml() {
  const blob = new Blob([yamlText], { type: "text/yaml" });
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = `${getScenario().name}.yaml`;
  a.click();
  URL.revokeObjectURL(a.href);
}

async function uploadYaml(ev) {
  const file = ev.target.files[0];
  if (!file) return;
  const err = document.getElementById("scenario-error");
  try {
    const d = await api("/api/scenario/parse", { json: { yaml: await file.text() } });
    const refused = loadExactly(d.scenario);
    if (refused) {
      clearTimeout(renderTimer);
      uploadNotice = `${t("upload_refused")} ${refused}` + (d.error ? ` (${formatError(d.error)})` : "");
      err.textContent = uploadNotice;
    } else err.textContent = d.error ? formatError(d.error) : "";
  } catch (e) {
    err.textContent = formatError(e);
  }
  ev.target.value = "";
}

// Hours of a duration as the form writes it ("36 h", "1.5 d", "2 weeks", "90 min"), or null.
export function durationHours(text) {
  if (typeof text !== "string") return null; // a bare number has no unit: not a duration
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(min|minutes?|h|hours?|d|days?|weeks?)\s*$/.exec(text);
  if (!m) return null;
  const unit = m[2];
  const per = unit.startsWith("min") ? 1 / 60 : unit.startsWith("h") ? 1 : unit.startsWith("d") ? 24 : 168;
  return Number(m[1]) * per;
}

// A scenario in a form-independent shape: durations in hours, defaults left out, numbers as numbers.
function canonical(sc) {
  if (!sc || typeof sc !== "object" || Array.isArray(sc)) return sc;
  const out = { ...sc };
  if (typeof out.name === "string") out.name = out.name.trim();
  if (out.duration !== undefined && durationHours(out.duration) !== null) out.duration = durationHours(out.duration);
  if (out.condition && typeof out.condition === "object" && !Array.isArray(out.condition)) {
    const c = Object.fromEntries(Object.entries(out.condition).filter(([k, v]) => CONDITION_DEFAULTS[k] !== v &&
      !(typeof CONDITION_DEFAULTS[k] === "number" && Number(v) === CONDITION_DEFAULTS[k])));
    if (Object.keys(c).length) out.condition = c; else delete out.condition;
  }
  if (Array.isArray(out.interventions)) {
    out.interventions = out.interventions.map((iv) => {
      if (!iv || typeof iv !== "object") return iv;
      const x = Object.fromEntries(Object.entries(iv).filter(([, v]) => v !== null && v !== "")
        .map(([k, v]) => [k, typeof v === "string" ? v.trim() : v]));
      if (x.schedule && typeof x.schedule === "object") x.schedule = { ...x.schedule, count: Number(x.schedule.count) };
      return x;
    });
    if (!out.interventions.length) delete out.interventions;
  }
  return out;
}

// The first place where two values differ ("interventions[0].drug"), or null when they agree.
function firstDifference(a, b, path = "") {
  if (typeof a === "number" && typeof b === "number") return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a)) ? null : path;
  if (typeof a !== typeof b || Array.isArray(a) !== Array.isArray(b) || (a === null) !== (b === null)) return path || "(scenario)";
  if (Array.isArray(a)) {
    if (a.length !== b.length) return path || "(scenario)";
    for (let i = 0; i < a.length; i++) { const d = firstDifference(a[i], b[i], `${path}[${i}]`); if (d) return d; }
    return null;
  }
  if (a && typeof a === "object") {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const d = firstDifference(a[k], b[k], path ? `${path}.${k}` : k);
      if (d) return d;
    }
    return null;
  }
  return a === b ? null : path || "(scenario)";
}

function valueAt(obj, path) {
  return path.split(/\.|\[(\d+)\]/).filter((p) => p !== undefined && p !== "").reduce((o, k) => (o == null ? o : o[k]), obj);
}

// Load an uploaded scenario into the form only if the form holds it exactly (never a stand-in:
// a drug the form does not know is not swapped for the first one in the list). Returns null
// when loaded, else the reason it was refused (the form then keeps what it had).
export function loadExactly(sc) {
  const before = getScenario();
  setScenario(sc);
  const want = canonical(sc);
  const got = canonical(getScenario());
  const where = firstDifference(want, got);
  if (where === null) return null;
  setScenario(before);
  const shown = JSON.stringify(valueAt(want, where) ?? null);
  return `${where}: ${shown && shown.length > 80 ? shown.slice(0, 77) + "..." : shown} ${t("upload_cannot")}`;
}