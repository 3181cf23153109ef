// Labels in English and Chinese; `t(key)` gives the current language's label.
const LABELS = {
  subtitle: ["mTOR signalling in depression, from the review", "抑郁症中的 mTOR 信号通路（据综述）"],
  tab_map: ["Pathway map", "通路图"],
  tab_scenario: ["Scenarios & runs", "情景与模拟"],
  tab_claims: ["Claims", "论断"],
  tab_figures: ["Figures", "图"],
  search_ph: ["Search: ketamine, BDNF, 雷帕霉素…", "搜索：氯胺酮、BDNF、rapamycin…"],
  path_title: ["Find a path", "查找通路"],
  path_go: ["Find", "查找"],
  path_none: ["No path found.", "未找到通路。"],
  overlay_title: ["Colour by a run", "按模拟结果着色"],
  overlay_hint: [
    "Run a scenario first; nodes with a readout are coloured by the change against its control.",
    "请先运行一个情景；有读数的节点按相对对照的变化着色。",
  ],
  overlay_clear: ["Clear", "清除"],
  overlay_vs_untreated: ["vs the same condition untreated", "相对同一状态、未治疗"],
  overlay_vs_healthy: ["vs healthy", "相对健康对照"],
  evidence_hint: [
    "Click a node or an arrow to see its evidence: the review's Chinese quote, an English paraphrase, the claims and any tension.",
    "点击节点或箭头查看证据：综述中文原文、英文释义、相关论断及矛盾点。",
  ],
  legend_title: ["Contexts", "情境"],
  ctx_neuron: ["neuronal / synaptic", "神经元 / 突触"],
  ctx_glia: ["glial / inflammatory", "胶质 / 炎症"],
  ctx_fate: ["cell fate", "细胞命运"],
  ctx_periphery: ["periphery", "外周"],
  ctx_behaviour: ["behaviour", "行为"],
  ctx_intervention: ["drug / intervention", "药物 / 干预"],
  ctx_condition: ["condition", "状态"],
  edge_pos: ["activates / raises", "激活 / 升高"],
  edge_neg: ["inhibits / lowers", "抑制 / 降低"],
  kind: ["kind", "类型"],
  context: ["context", "情境"],
  readout: ["readout", "读数"],
  mechanisms: ["Mechanisms", "机制"],
  claims: ["Claims", "论断"],
  tensions: ["Tensions", "矛盾点"],
  quote: ["Review (Chinese original)", "综述原文"],
  paraphrase: ["English paraphrase", "英文释义"],
  section: ["section", "章节"],
  refs: ["refs", "参考文献"],
  resolved_by_context: ["resolved by context", "按情境化解"],
  open: ["open", "未解决"],
  f_preset: ["Example", "示例"],
  f_name: ["Name", "名称"],
  f_species: ["Species", "物种"],
  f_duration: ["Duration", "时长"],
  f_condition: ["Condition", "状态"],
  f_interventions: ["Interventions", "干预"],
  f_add: ["+ Add a drug or intervention", "+ 添加药物或干预"],
  c_chronic_stress: ["chronic stress", "慢性应激"],
  c_inflammation: ["inflammation", "炎症"],
  c_oxidative_stress: ["oxidative stress", "氧化应激"],
  c_high_fat_diet: ["high-fat diet", "高脂饮食"],
  c_tbi: ["brain injury", "脑外伤"],
  c_bdnf_genotype: ["BDNF genotype", "BDNF 基因型"],
  i_drug: ["drug", "药物"],
  i_dose: ["dose", "剂量"],
  i_route: ["route", "途径"],
  i_formulation: ["formulation", "剂型"],
  i_timing: ["timing", "给药时间"],
  i_once: ["once at", "单次，于"],
  i_repeat: ["repeated", "重复"],
  i_over: ["infused over", "输注时长"],
  i_start: ["from", "起始"],
  i_every: ["every", "间隔"],
  i_count: ["doses", "次数"],
  i_remove: ["Remove", "删除"],
  own_drug: ["this scenario's own", "本情景自带"],
  upload_refused: ["Not loaded:", "未载入："],
  upload_cannot: [
    "cannot be shown in the form as written (it would change); edit the file, or run it with `mtorlab simulate`.",
    "无法按原样显示在表单中（会被改变）；请修改文件，或用 `mtorlab simulate` 运行。",
  ],
  none: ["none", "无"],
  run: ["Run", "运行"],
  clear_runs: ["Clear runs", "清除结果"],
  cancel: ["Cancel", "取消"],
  running: ["running", "运行中"],
  queued: ["queued", "排队中"],
  cancelled: ["cancelled", "已取消"],
  done: ["done", "完成"],
  untreated: ["untreated", "未治疗"],
  healthy: ["healthy", "健康"],
  failed: ["failed", "失败"],
  yaml_title: ["Scenario file (YAML)", "情景文件（YAML）"],
  yaml_download: ["Download", "下载"],
  yaml_upload: ["Upload…", "上传…"],
  runs_title: ["Runs (up to 4 overlaid)", "模拟结果（最多叠加 4 个）"],
  csv_download: ["Download CSV", "下载 CSV"],
  readouts_title: ["Readouts to plot", "绘制的读数"],
  time_h: ["time (h)", "时间（小时）"],
  time_d: ["time (days)", "时间（天）"],
  claims_filter_ph: ["Filter claims: text, id, section…", "筛选论断：文本、编号、章节…"],
  claims_testable: ["testable only", "仅可检验"],
  th_section: ["Section", "章节"],
  th_claim: ["Claim", "论断"],
  th_mechanisms: ["Mechanisms", "机制"],
  th_tensions: ["Tensions", "矛盾点"],
  th_checks: ["Checks", "检验"],
  th_result: ["Result", "结果"],
  result_pass: ["passes", "通过"],
  result_xfail: ["fails (expected, reason recorded)", "未通过（预期，已记录原因）"],
  fig1: ["Figure 1", "图 1"],
  fig2: ["Figure 2", "图 2"],
  plot_check: ["plot", "绘图"],
  shown: ["shown", "显示"],
};

// Readout names in Chinese (English: the readout id's description from the API).
export const READOUT_ZH = {
  mtorc1_neuron: "神经元 mTORC1", mtorc2_neuron: "神经元 mTORC2", mtorc1_glia: "胶质 mTORC1",
  p_akt_s473: "p-Akt (S473)", p_akt_t308: "p-Akt (T308)", p_s6k: "p-S6K", p_4ebp1: "p-4E-BP1",
  p_erk: "p-ERK", ampk: "AMPK", tsc2_active: "活性 TSC2", rheb_gtp: "Rheb-GTP",
  glutamate_burst: "谷氨酸爆发", ampar_surface: "膜表面 AMPAR", bdnf: "BDNF",
  serum_bdnf: "血清 BDNF", synaptic_protein: "突触蛋白", spine_density: "树突棘密度",
  synaptic_strength: "突触强度", autophagy_flux: "自噬通量", apoptosis: "凋亡",
  neuronal_survival: "神经元存活", il6_brain: "脑 IL-6", tnfa_brain: "脑 TNF-α",
  il6_plasma: "血浆 IL-6", microglial_phagocytosis: "小胶质细胞吞噬", serotonin: "5-羟色胺",
  depression_score: "抑郁评分", sucrose_preference: "糖水偏好", fst_immobility: "强迫游泳不动时间",
  madrs: "MADRS", anxiety_risk: "焦虑风险", immunosuppression: "免疫抑制", body_weight: "体重",
  blood_glucose: "血糖",
};

let lang = "en";
const listeners = [];

export function getLang() { return lang; }

export function t(key) {
  const pair = LABELS[key];
  if (!pair) return key;
  return lang === "zh" ? pair[1] : pair[0];
}

export function readoutLabel(id) {
  if (lang === "zh" && READOUT_ZH[id]) return READOUT_ZH[id];
  if (id.startsWith("conc_plasma:")) return (lang === "zh" ? "血浆浓度 " : "plasma ") + id.slice(12);
  if (id.startsWith("conc_brain:")) return (lang === "zh" ? "脑浓度 " : "brain ") + id.slice(11);
  return id;
}

export function applyLabels(root = document) {
  root.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
  root.querySelectorAll("[data-i18n-ph]").forEach((el) => { el.placeholder = t(el.dataset.i18nPh); });
}

export function setLang(next) {
  lang = next;
  document.documentElement.lang = next === "zh" ? "zh-CN" : "en";
  applyLabels();
  listeners.forEach((fn) => fn(next));
}

export function onLang(fn) { listeners.push(fn); }

// Safe text for innerHTML templates.
export function esc(value) {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ({
    "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
  })[c]);
}

export async function api(path, options = {}) {
  const init = { ...options };
  if (init.json !== undefined) {
    init.method = init.method || "POST";
    init.headers = { "content-type": "application/json" };
    init.body = JSON.stringify(init.json);
    delete init.json;
  }
  const resp = await fetch(path, init);
  const body = resp.headers.get("content-type")?.includes("json") ? await resp.json() : await resp.text();
  if (!resp.ok) {
    const err = new Error(body?.error || `HTTP ${resp.status}`);
    err.field = body?.field;
    err.status = resp.status;
    throw err;
  }
  return body;
}

export function formatError(err) {
  if (!err) return "";
  const msg = err.error ?? err.message ?? String(err);
  const field = err.field;
  return field ? `${field}: ${msg}` : msg;
}
