// Helpers to drive the real ComfyUI frontend in Debian's chromium with playwright-core (never a downloaded
// browser): launch, open a page with chosen settings, watch the console, load workflows, queue and wait.
import { chromium } from "playwright-core";

import { excuse } from "./console_rules.mjs";

export const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
// The flags ../shared/COMFYUI.md lists for this machine (no sandbox as root, no GPU, nothing reaching out).
export const FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

export async function launch() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
}

export async function setSetting(url, id, value) {
  const response = await fetch(`${url}/settings/${encodeURIComponent(id)}`, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(value),
  });
  if (!response.ok) throw new Error(`setting ${id}: HTTP ${response.status}`);
}

/** A console watcher: every console error and page error, with the phase it happened in. `problems()` lists
 * those that are not known frontend noise. */
export class ConsoleLog {
  constructor(page) {
    this.phase = "startup";
    this.entries = [];
    page.on("console", (message) => {
      if (message.type() !== "error") return;
      const location = message.location() || {};
      this.entries.push({ phase: this.phase, kind: "console", text: message.text(), url: location.url || "" });
    });
    page.on("pageerror", (error) => {
      this.entries.push({ phase: this.phase, kind: "pageerror", text: `${error.name}: ${error.message}\n${error.stack}`,
        url: "" });
    });
  }

  classify(entry) {
    return excuse(entry);
  }

  problems(phase = null) {
    return this.entries.filter((e) => (phase === null || e.phase === phase) && !this.classify(e));
  }

  noise() {
    return this.entries.filter((e) => this.classify(e)).map((e) => ({ phase: e.phase, text: e.text.split("\n")[0],
      why: this.classify(e).why }));
  }
}

/** Open ComfyUI with Nodes 2.0 on or off; returns {context, page, log} once the app and its canvas are up. */
export async function openComfy(browser, url, { vue = false, viewport = { width: 1400, height: 900 } } = {}) {
  await setSetting(url, "Comfy.TutorialCompleted", true); // no template browser over the canvas
  await setSetting(url, "Comfy.VueNodes.Enabled", vue);
  // Models are not installed here: the missing-models dialog would pop up for every workflow that names a
  // checkpoint. The missing-nodes dialog (what the test looks for) stays on.
  await setSetting(url, "Comfy.Workflow.ShowMissingModelsWarning", false);
  await setSetting(url, "Comfy.Workflow.ShowMissingNodesWarning", true);
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const log = new ConsoleLog(page);
  await page.goto(url);
  await page.waitForFunction(() => {
    const app = window.comfyAPI?.app?.app;
    return app?.graph && app?.canvas && document.querySelector("canvas");
  }, null, { timeout: 90_000 });
  await page.waitForFunction((vue) => window.comfyAPI.app.app.ui?.settings?.getSettingValue?.(
    "Comfy.VueNodes.Enabled") === vue, vue, { timeout: 30_000 }).catch(() => {});
  await page.waitForTimeout(1500); // start-up requests settle (their noise stays in the start-up phase)
  log.phase = "workflows";
  return { context, page, log };
}

/** Visible PrimeVue dialogs: [{title, text}]. */
export async function openDialogs(page) {
  return page.evaluate(() => [...document.querySelectorAll(".p-dialog")]
    .filter((d) => d.offsetParent !== null || d.getClientRects().length)
    .map((d) => ({ title: d.querySelector(".p-dialog-title, .p-dialog-header")?.textContent?.trim() ?? "",
      text: d.textContent.trim().replace(/\s+/g, " ").slice(0, 300) })));
}

export async function closeDialogs(page) {
  for (let i = 0; i < 3 && (await openDialogs(page)).length; i += 1) {
    await page.keyboard.press("Escape");
    await page.waitForTimeout(200);
  }
}

/** Load a UI-format workflow as the drop handler does; returns what went wrong with it (nothing: all empty). */
export async function loadWorkflow(page, workflow, name) {
  const result = await page.evaluate(async ({ workflow, name }) => {
    const app = window.comfyAPI.app.app;
    await app.loadGraphData(workflow, true, true, name);
    await new Promise((r) => setTimeout(r, 300));
    const registered = LiteGraph.registered_node_types;
    const missing = app.graph.nodes.filter((n) => !registered[n.type] || n.has_errors).map((n) => n.type);
    return { nodes: app.graph.nodes.length, missing: [...new Set(missing)] };
  }, { workflow, name });
  await page.waitForTimeout(300);
  result.dialogs = await openDialogs(page);
  return result;
}

/** Queue the graph (as the Run button does) and wait for ComfyUI to finish it; returns the prompt id. */
export async function runAndWait(page, timeoutMs = 120_000) {
  return page.evaluate((timeoutMs) => new Promise((resolve, reject) => {
    const app = window.comfyAPI.app.app;
    const api = window.comfyAPI.api.api;
    const timer = setTimeout(() => finish(new Error(`no result after ${timeoutMs} ms`)), timeoutMs);
    const onSuccess = (e) => finish(null, e.detail?.prompt_id);
    const onError = (e) => finish(new Error(`execution error: ${JSON.stringify(e.detail).slice(0, 500)}`));
    function finish(error, id) {
      clearTimeout(timer);
      api.removeEventListener("execution_success", onSuccess);
      api.removeEventListener("execution_error", onError);
      if (error) reject(error);
      else resolve(id);
    }
    api.addEventListener("execution_success", onSuccess);
    api.addEventListener("execution_error", onError);
    app.queuePrompt(0, 1).catch((error) => finish(error));
  }), timeoutMs);
}

// The frontend's floating chrome (breadcrumb, Run bar and its toasts, minimap, zoom buttons), hidden while a
// screenshot is taken so that it shows the nodes only.
const CHROME = String.raw`.subgraph-breadcrumb, .minimap-main-container, .p-panel.z-1010, .p-toast,
  .graph-canvas-panel .p-buttongroup, .w-\[350px\].min-w-\[310px\] { visibility: hidden !important; }`;

/** page.screenshot without the floating chrome over the canvas. */
export async function screenshot(page, options) {
  const style = await page.addStyleTag({ content: CHROME });
  // the queue's "1 job completed" notice, wherever the frontend puts it
  await page.evaluate(() => {
    for (const el of document.querySelectorAll("body *")) {
      if (el.children.length <= 3 && el.textContent.length < 60 && /\bjobs? completed\b/i.test(el.textContent)
        && !el.closest(".llms-panel")) el.setAttribute("data-llms-hidden", el.style.visibility || "-");
    }
    for (const el of document.querySelectorAll("[data-llms-hidden]")) el.style.visibility = "hidden";
  });
  try {
    await page.waitForTimeout(50);
    return await page.screenshot(options);
  } finally {
    await style.evaluate((node) => node.remove());
    await page.evaluate(() => {
      for (const el of document.querySelectorAll("[data-llms-hidden]")) {
        const before = el.getAttribute("data-llms-hidden");
        el.style.visibility = before === "-" ? "" : before;
        el.removeAttribute("data-llms-hidden");
      }
    });
  }
}
