// The claims table: filter by text, id, section; links to the map and to check plots.
import { api, esc, getLang, onLang, t } from "./i18n.js";
import { showMechanism } from "./map.js";

let data = { claims: [], checks: [] };
let byId = new Map();

export async function initClaims({ openTab, runScenarios }) {
  data = await api("/api/claims");
  byId = new Map(data.checks.map((k) => [k.id, k]));
  const filter = document.getElementById("claims-filter");
  const testable = document.getElementById("claims-testable");
  filter.addEventListener("input", draw);
  testable.addEventListener("change", draw);
  onLang(draw);
  document.querySelector("#claims-table tbody").addEventListener("click", async (ev) => {
    const mech = ev.target.closest("[data-mech]");
    if (mech) {
      ev.preventDefault();
      openTab("map");
      showMechanism(mech.dataset.mech);
    }
    const check = ev.target.closest("[data-check]");
    if (check) {
      const d = await api(`/api/claims/checks/${encodeURIComponent(check.dataset.check)}/scenarios`);
      openTab("scenario");
      runScenarios(Object.values(d.scenarios).slice(0, 2));
    }
  });
  draw();
}

function text(c) {
  const quote = c.evidence?.find((e) => e.quote_zh)?.quote_zh;
  return getLang() === "zh" && quote ? quote : c.text_en;
}

function draw() {
  const q = document.getElementById("claims-filter").value.trim().toLowerCase();
  const onlyTestable = document.getElementById("claims-testable").checked;
  const rows = data.claims.filter((c) => (!onlyTestable || c.testable) && (!q ||
    [c.id, c.section, c.text_en, ...c.evidence.map((e) => e.quote_zh || "")].join(" ").toLowerCase().includes(q)));
  document.getElementById("claims-count").textContent = `${rows.length} / ${data.claims.length}`;
  document.querySelector("#claims-table tbody").innerHTML = rows.map((c) => `<tr>
    <td><span class="tag">${esc(c.id)}</span>${c.testable ? "" : " <small>·</small>"}</td>
    <td>§${esc(c.section)}</td>
    <td>${esc(text(c))}<div class="sub">${esc(getLang() === "zh" ? c.text_en : c.evidence.find((e) => e.quote_zh)?.quote_zh || "")}</div></td>
    <td>${c.mechanisms.map((m) => `<a href="#" data-mech="${esc(m)}">${esc(m.replace(/^m_/, ""))}</a>`).join("<br>")}</td>
    <td>${c.tensions.map((x) => `<span class="tag warn">${esc(x)}</span>`).join(" ")}</td>
    <td>${c.checks.map((k) => `<button type="button" data-check="${esc(k)}">${esc(k)} ▶</button>`).join(" ")}</td>
    <td class="result">${c.checks.map(result).join("<br>")}</td>
  </tr>`).join("");
}

// A check's result as the suite holds it: pass, or an expected failure with its reason.
function result(id) {
  const k = byId.get(id);
  if (!k) return "";
  if (k.result === "pass") return `<span class="pass" data-result="pass">✓ ${esc(t("result_pass"))}</span>`;
  return `<span class="fail" data-result="xfail" title="${esc(k.xfail)}">✗ ${esc(t("result_xfail"))}</span>`;
}
