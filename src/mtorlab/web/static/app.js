// Entry point: tabs, language switch, and wiring of the map, scenario builder, runs, claims.
import { applyLabels, getLang, onLang, setLang } from "./i18n.js";
import { initClaims } from "./claims.js";
import { initMap } from "./map.js";
import { initRuns, runScenarios } from "./runs.js";
import { getScenario, initScenario } from "./scenario.js";

function openTab(name) {
  document.querySelectorAll("#tabs button").forEach((b) => b.classList.toggle("active", b.dataset.tab === name));
  document.querySelectorAll(".tab").forEach((s) => s.classList.toggle("active", s.id === `tab-${name}`));
  if (name === "map" && window.mtorlabMap) window.mtorlabMap.resize();
  if (name === "figures") drawFigure();
  if (name === "scenario") window.dispatchEvent(new Event("resize"));
}

function drawFigure() {
  const name = document.getElementById("figure-pick").value;
  document.getElementById("figure-img").src = `/api/figures/${name}.svg?lang=${getLang()}`;
}

async function main() {
  applyLabels();
  document.querySelectorAll("#tabs button").forEach((b) => b.addEventListener("click", () => openTab(b.dataset.tab)));
  const toggle = document.getElementById("lang-toggle");
  toggle.addEventListener("click", () => setLang(getLang() === "en" ? "zh" : "en"));
  onLang((lang) => {
    toggle.textContent = lang === "en" ? "中文" : "English";
    if (document.getElementById("tab-figures").classList.contains("active")) drawFigure();
  });
  document.getElementById("figure-pick").addEventListener("change", drawFigure);
  await initMap();
  await initRuns();
  await initScenario({ onPresetRun: runScenarios });
  document.getElementById("run").addEventListener("click", () => runScenarios([getScenario()]));
  await initClaims({ openTab, runScenarios });
  document.body.dataset.ready = "1";
}

main().catch((err) => {
  document.body.dataset.ready = "error";
  console.error(err);
});
