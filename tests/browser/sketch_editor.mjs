// The real-browser test of the sketch preview and editor (tests/test_browser.py runs it; `make test` too).
//
//   node tests/browser/sketch_editor.mjs --url http://127.0.0.1:PORT [--out DIR] [--modes classic,vue]
//
// For each renderer (the classic canvas, then Nodes 2.0): open ComfyUI in Debian's headless chromium, load every
// workflows/*.json (no missing node, no dialog, no console error), load the offline sketch workflow, queue it,
// wait for the preview, screenshot, switch the boxes and labels toggles off and on again, drag the cat across the
// canvas's centre line past the dog, queue again, and check that the layout and Check Layout's report changed
// ("the cat is left of the dog" now fails), that the edited sketch is saved in the workflow, and that "Reset to
// generated" plans the sketch again.
// Writes DIR/result.json (what was measured) and DIR/<mode>-*.png; exits 1 with the reasons when anything fails.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

import { closeDialogs, launch, loadWorkflow, openComfy, runAndWait, screenshot } from "./comfy_page.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const { values: args } = parseArgs({
  options: {
    url: { type: "string" },
    out: { type: "string", default: join(ROOT, "out", "browser") },
    modes: { type: "string", default: "classic,vue" },
    workflows: { type: "string", default: join(ROOT, "workflows") },
    sketch: { type: "string", default: "offline_sketch.json" },
  },
});
if (!args.url) throw new Error("--url http://127.0.0.1:PORT is required (python tests/comfy_harness.py serve)");
mkdirSync(args.out, { recursive: true });

const failures = [];
function expect(condition, message) {
  if (!condition) failures.push(message);
  return condition;
}

const SKETCH_NODE = "LLMSketch_PlanSketch";
const CHECK_NODE = "LLMSketch_CheckLayout";

/** The preview's objects as the page shows them: label, verdict and box (layout px), plus the panel's state. */
async function previewState(page) {
  return page.evaluate(() => {
    const panel = document.querySelector(".llms-sketch");
    if (!panel) return null;
    const overlay = panel.querySelector(".llms-overlay");
    const [, , width, height] = (overlay.getAttribute("viewBox") || "0 0 0 0").split(" ").map(Number);
    const objects = [...panel.querySelectorAll(".llms-object")].map((g) => {
      const box = g.querySelector(".llms-box");
      const x = Number(box?.getAttribute("x"));
      const y = Number(box?.getAttribute("y"));
      return { id: g.dataset.id, label: g.dataset.label, verdict: g.dataset.verdict,
        bbox: [x, y, x + Number(box?.getAttribute("width")), y + Number(box?.getAttribute("height"))] };
    });
    return { state: panel.dataset.state, edited: panel.dataset.edited, verdict: panel.dataset.verdict,
      status: panel.querySelector(".llms-status")?.textContent ?? "", width, height, objects,
      imageShown: !panel.querySelector(".llms-image").hidden && panel.querySelector(".llms-image").naturalWidth > 0,
      report: [...panel.querySelectorAll(".llms-report li")].map((li) => `${li.dataset.kind}: ${li.textContent}`) };
  });
}

async function checkState(page) {
  return page.evaluate((type) => {
    const panel = document.querySelector(`.llms-panel[data-node-type="${type}"]`);
    if (!panel) return null;
    return { state: panel.dataset.state, verdict: panel.dataset.verdict,
      items: [...panel.querySelectorAll("li")].map((li) => ({ kind: li.dataset.kind,
        text: li.querySelector(".llms-text")?.textContent ?? li.textContent })) };
  }, CHECK_NODE);
}

async function history(promptId) {
  // the server stores the entry after it sends execution_success (runAndWait's end): ask again until it is there
  let entry;
  for (let tries = 0; !entry && tries < 50; tries += 1) {
    if (tries) await new Promise((r) => setTimeout(r, 100));
    entry = (await (await fetch(`${args.url}/history/${promptId}`)).json())[promptId];
  }
  const outputs = entry?.outputs ?? {};
  const sketch = Object.values(outputs).find((o) => o.sketch)?.sketch?.[0];
  const report = Object.entries(outputs).filter(([, o]) => o.text && !o.sketch).map(([, o]) => o.text[0])
    .find((t) => /^(PASSED|FAILED)/.test(t));
  return { sketch, report };
}

/** What the overlay draws now: whose box and label are on screen, the toggles, the selection, and what is saved. */
async function overlayState(page) {
  return page.evaluate((type) => {
    const panel = document.querySelector(".llms-sketch");
    const drawn = (e) => e.checkVisibility() && e.getBoundingClientRect().width > 0;
    const owners = (selector) => [...panel.querySelectorAll(selector)].filter(drawn)
      .map((e) => e.closest(".llms-object").dataset.label).sort();
    const app = window.comfyAPI.app.app;
    const node = app.graph.serialize().nodes.find((n) => n.type === type);
    return { checked: Object.fromEntries([...panel.querySelectorAll("input[data-toggle]")]
      .map((i) => [i.dataset.toggle, i.checked])),
    boxes: owners(".llms-object > .llms-box"), labels: owners(".llms-tag text"),
    labelTexts: [...panel.querySelectorAll(".llms-tag text")].filter(drawn).map((t) => t.textContent).sort(),
    objects: panel.querySelectorAll(".llms-object").length, centre: panel.querySelectorAll(".llms-centre").length,
    selected: [...panel.querySelectorAll('.llms-object[data-selected="true"]')].map((g) => g.dataset.label),
    handles: panel.querySelectorAll(".llms-handle").length, edited: panel.dataset.edited,
    imageShown: !panel.querySelector(".llms-image").hidden, report: panel.querySelectorAll(".llms-report li").length,
    saved: JSON.stringify({ properties: node.properties, widgets: node.widgets_values }),
    storage: Object.keys(localStorage).filter((k) => /llm|sketch|toggle/i.test(k)) };
  }, SKETCH_NODE);
}

/** A point of the layout (px) on the screen, for page.mouse. */
async function screenPoint(page, [x, y]) {
  return page.evaluate(([x, y]) => {
    const overlay = document.querySelector(".llms-sketch .llms-overlay");
    const rect = overlay.getBoundingClientRect();
    const [, , w, h] = overlay.getAttribute("viewBox").split(" ").map(Number);
    const scale = Math.min(rect.width / w, rect.height / h);
    return [rect.left + (rect.width - w * scale) / 2 + x * scale, rect.top + (rect.height - h * scale) / 2 + y * scale];
  }, [x, y]);
}

const centreX = (box) => (box[0] + box[2]) / 2;

/** A screenshot of the whole workflow (every node's box on screen, on the canvas or as a Nodes 2.0 element). */
async function shot(page, name) {
  const clip = await page.evaluate(() => {
    const app = window.comfyAPI.app.app;
    const canvasRect = app.canvas.canvas.getBoundingClientRect();
    const { scale } = app.canvas.ds;
    const rects = app.graph.nodes.map((node) => {
      const element = document.querySelector(`[data-node-id="${node.id}"]`);
      if (element) return element.getBoundingClientRect();
      const title = LiteGraph.NODE_TITLE_HEIGHT;
      const [x, y] = app.canvas.ds.convertOffsetToCanvas([node.pos[0], node.pos[1] - title]);
      return { left: canvasRect.left + x, top: canvasRect.top + y, right: canvasRect.left + x + node.size[0] * scale,
        bottom: canvasRect.top + y + (node.size[1] + title) * scale };
    });
    if (!rects.length) return null;
    const x0 = Math.max(0, Math.min(...rects.map((r) => r.left)) - 12);
    const y0 = Math.max(0, Math.min(...rects.map((r) => r.top)) - 12);
    const x1 = Math.min(window.innerWidth, Math.max(...rects.map((r) => r.right)) + 12);
    const y1 = Math.min(window.innerHeight, Math.max(...rects.map((r) => r.bottom)) + 12);
    return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
  });
  const path = join(args.out, `${name}.png`);
  await screenshot(page, { path, ...(clip ? { clip } : {}) });
  return path;
}

async function runMode(browser, mode) {
  const started = Date.now();
  const vue = mode === "vue";
  const result = { mode, workflows: [], timings: {} };
  const { context, page, log } = await openComfy(browser, args.url, { vue, viewport: { width: 1800, height: 1200 } });
  result.timings.open_s = (Date.now() - started) / 1000;
  result.vueNodes = await page.evaluate(() => Boolean(document.querySelector(".lg-node, [data-node-id]")));

  // 1. every shipped workflow loads: every node type known, no dialog, no console error
  const files = readdirSync(args.workflows).filter((f) => f.endsWith(".json")).sort();
  expect(files.includes(args.sketch), `${args.sketch} is not in ${args.workflows}`);
  for (const file of files) {
    const before = log.problems().length;
    const workflow = JSON.parse(readFileSync(join(args.workflows, file), "utf8"));
    const loaded = await loadWorkflow(page, workflow, file);
    loaded.file = file;
    loaded.consoleErrors = log.problems().slice(before).map((e) => e.text.split("\n")[0]);
    result.workflows.push(loaded);
    expect(loaded.missing.length === 0, `[${mode}] ${file}: missing node types ${loaded.missing.join(", ")}`);
    expect(loaded.dialogs.length === 0, `[${mode}] ${file}: a dialog opened: ${JSON.stringify(loaded.dialogs)}`);
    expect(loaded.consoleErrors.length === 0, `[${mode}] ${file}: console errors ${loaded.consoleErrors}`);
    await closeDialogs(page);
  }

  // 2. the offline sketch workflow: queue, see the preview
  log.phase = "editing";
  const workflow = JSON.parse(readFileSync(join(args.workflows, args.sketch), "utf8"));
  await loadWorkflow(page, workflow, args.sketch);
  if (vue) await page.waitForSelector("[data-node-id] .llms-sketch", { timeout: 20_000 });
  let t = Date.now();
  const firstId = await runAndWait(page);
  await page.waitForFunction(() => document.querySelector(".llms-sketch[data-state=ready] .llms-object")
    && document.querySelector(".llms-sketch .llms-image")?.naturalWidth > 0, null, { timeout: 30_000 });
  await page.waitForFunction((type) => document.querySelector(`.llms-panel[data-node-type="${type}"]`)
    ?.dataset.state === "ready", CHECK_NODE, { timeout: 30_000 });
  result.timings.first_run_s = (Date.now() - t) / 1000;
  const first = await previewState(page);
  const firstCheck = await checkState(page);
  const firstHistory = await history(firstId);
  result.first = { preview: first, check: firstCheck, report: firstHistory.report };
  result.screenshots = { generated: await shot(page, `${mode}-generated`) };
  const cat = first.objects.find((o) => o.label === "cat");
  const dog = first.objects.find((o) => o.label === "dog");
  expect(first.imageShown, `[${mode}] the sketch image is not drawn`);
  expect(cat && dog, `[${mode}] the preview does not show a cat and a dog: ${JSON.stringify(first.objects)}`);
  if (!cat || !dog) return finish();
  expect(centreX(cat.bbox) < first.width / 2 && centreX(dog.bbox) > first.width / 2,
    `[${mode}] the planned cat is not left of the centre line and the dog right of it`);
  expect(cat.verdict === "pass" && dog.verdict === "pass", `[${mode}] first run: verdicts ${cat.verdict}/${dog.verdict}`);
  expect(firstCheck.verdict === "pass", `[${mode}] first run: Check Layout shows ${firstCheck.verdict}`);
  expect(firstHistory.report?.startsWith("PASSED"), `[${mode}] first run: report ${firstHistory.report}`);

  // 2b. the boxes and labels toggles (real clicks): each hides its part of the overlay and brings it back; with the
  // boxes off the selected object's box is still drawn; nothing is saved (not an edit, not a node property)
  const toggle = (name) => page.locator(`.llms-sketch input[data-toggle=${name}]`).click();
  const toggles = { initial: await overlayState(page) };
  await toggle("boxes");
  toggles.boxesOff = await overlayState(page);
  await toggle("labels");
  toggles.bothOff = await overlayState(page);
  await page.mouse.click(...await screenPoint(page, [centreX(cat.bbox), (cat.bbox[1] + cat.bbox[3]) / 2]));
  toggles.catSelected = await overlayState(page);
  await page.keyboard.press("Escape");
  toggles.deselected = await overlayState(page);
  await toggle("boxes");
  toggles.boxesBack = await overlayState(page);
  await toggle("labels");
  toggles.labelsBack = await overlayState(page);
  result.toggles = toggles;
  const both = "cat,dog";
  for (const [step, boxes, labels] of [["initial", both, both], ["boxesOff", "", both], ["bothOff", "", ""],
    ["catSelected", "cat", ""], ["deselected", "", ""], ["boxesBack", both, ""], ["labelsBack", both, both]]) {
    const s = toggles[step];
    expect(s.boxes.join() === boxes && s.labels.join() === labels && s.objects === 2 && s.imageShown,
      `[${mode}] toggles, ${step}: boxes ${s.boxes} labels ${s.labels} (${s.objects} objects) drawn, not ${boxes}/${labels}`);
    expect(s.saved === toggles.initial.saved && s.edited === "false",
      `[${mode}] toggles, ${step}: the node's saved state changed: ${s.saved.slice(0, 200)}`);
  }
  expect(toggles.labelsBack.selected.length === 0 && toggles.labelsBack.handles === 0,
    `[${mode}] toggles: the cat is still selected after Escape`);

  // 3. drag the cat across the centre line, past the dog
  // right, past the dog's centre, and down below it (so that neither hides the other in the screenshots)
  const dx = Math.min(centreX(dog.bbox) - centreX(cat.bbox) + 30, first.width - cat.bbox[2] - 1);
  const dy = Math.max(0, Math.min(dog.bbox[3] - cat.bbox[1] + 10, first.height - cat.bbox[3] - 1));
  const grip = [centreX(cat.bbox), cat.bbox[1] + (cat.bbox[3] - cat.bbox[1]) * 0.6];
  const points = { from: await screenPoint(page, grip), to: await screenPoint(page, [grip[0] + dx, grip[1] + dy]) };
  t = Date.now();
  await page.mouse.move(...points.from);
  await page.mouse.down();
  for (let i = 1; i <= 10; i += 1) {
    await page.mouse.move(points.from[0] + (points.to[0] - points.from[0]) * i / 10,
      points.from[1] + (points.to[1] - points.from[1]) * i / 10);
  }
  await page.mouse.up();
  await page.waitForFunction(() => {
    const panel = document.querySelector(".llms-sketch");
    return panel?.dataset.edited === "true" && panel.dataset.state === "ready";
  }, null, { timeout: 20_000 });
  result.timings.edit_s = (Date.now() - t) / 1000;
  const dragged = await previewState(page);
  result.dragged = { preview: dragged, screenPoints: points };
  result.screenshots.dragged = await shot(page, `${mode}-dragged`);
  const movedCat = dragged.objects.find((o) => o.label === "cat");
  expect(movedCat && centreX(movedCat.bbox) > dragged.width / 2,
    `[${mode}] after the drag the cat is not right of the centre line: ${JSON.stringify(movedCat)}`);
  expect(movedCat && centreX(movedCat.bbox) > centreX(dog.bbox), `[${mode}] after the drag the cat is not past the dog`);
  expect(movedCat?.verdict === "fail", `[${mode}] after the drag the cat's verdict is ${movedCat?.verdict}, not fail`);
  const stored = await page.evaluate((type) => {
    const app = window.comfyAPI.app.app;
    const node = app.graph.nodes.find((n) => n.type === type);
    const saved = app.graph.serialize().nodes.find((n) => n.id === node.id);
    return { widget: node.widgets.find((w) => w.name === "edited_svg")?.value ?? null, saved: saved.widgets_values };
  }, SKETCH_NODE);
  expect(typeof stored.widget === "string" && stored.widget.startsWith("<svg"), `[${mode}] edited_svg not set`);
  expect(stored.saved.at(-1) === stored.widget && stored.saved.length === 7,
    `[${mode}] the saved workflow does not end its Plan Sketch widgets_values with the edited sketch`);
  result.dragged.savedWidgetCount = stored.saved.length;

  // 4. queue again: the edited sketch is used, and the check fails
  t = Date.now();
  const secondId = await runAndWait(page);
  await page.waitForFunction((type) => {
    const panel = document.querySelector(`.llms-panel[data-node-type="${type}"]`);
    return panel?.dataset.verdict === "fail";
  }, CHECK_NODE, { timeout: 30_000 });
  await page.waitForFunction(() => !/run to update/.test(document.querySelector(".llms-sketch .llms-status")
    ?.textContent ?? "run to update"), null, { timeout: 30_000 });
  result.timings.second_run_s = (Date.now() - t) / 1000;
  const second = await previewState(page);
  const secondCheck = await checkState(page);
  const secondHistory = await history(secondId);
  result.second = { preview: second, check: secondCheck, report: secondHistory.report,
    layout: secondHistory.sketch?.layout };
  result.screenshots.edited = await shot(page, `${mode}-edited`);
  const layoutCat = secondHistory.sketch?.layout.objects.find((o) => o.label === "cat");
  const layoutDog = secondHistory.sketch?.layout.objects.find((o) => o.label === "dog");
  expect(secondHistory.sketch?.edited === true, `[${mode}] the second run did not use the edited sketch`);
  expect(layoutCat && layoutDog && centreX(layoutCat.bbox) > centreX(layoutDog.bbox)
    && centreX(layoutCat.bbox) > secondHistory.sketch.layout.width / 2,
  `[${mode}] the second run's layout does not have the cat right of the dog: ${JSON.stringify(layoutCat)}`);
  expect(secondHistory.report?.startsWith("FAILED") && secondHistory.report.includes("✗ the cat is left of the dog"),
    `[${mode}] the second run's Check Layout report: ${secondHistory.report}`);
  expect(secondCheck.items.some((i) => i.kind === "fail" && i.text === "the cat is left of the dog"),
    `[${mode}] Check Layout does not show ✗ the cat is left of the dog: ${JSON.stringify(secondCheck.items)}`);
  expect(second.objects.find((o) => o.label === "cat")?.verdict === "fail", `[${mode}] the cat is not red after the run`);

  // 5. Reset to generated: the widget is cleared and the next run plans the sketch again
  await page.click(".llms-sketch button[data-action=reset]");
  const cleared = await page.evaluate((type) => window.comfyAPI.app.app.graph.nodes.find((n) => n.type === type)
    .widgets.find((w) => w.name === "edited_svg").value, SKETCH_NODE);
  expect(cleared === "", `[${mode}] Reset to generated left edited_svg = ${String(cleared).slice(0, 40)}`);
  t = Date.now();
  const thirdId = await runAndWait(page);
  await page.waitForFunction((type) => document.querySelector(`.llms-panel[data-node-type="${type}"]`)
    ?.dataset.verdict === "pass", CHECK_NODE, { timeout: 30_000 });
  result.timings.reset_run_s = (Date.now() - t) / 1000;
  const third = await history(thirdId);
  result.reset = { report: third.report, edited: third.sketch?.edited };
  expect(third.report?.startsWith("PASSED") && third.sketch?.edited === false, `[${mode}] after Reset: ${third.report}`);

  // 6. resize with a corner handle, then Delete, then Reset (the preview only: no run)
  const planned = await previewState(page);
  const dogNow = planned.objects.find((o) => o.label === "dog");
  const [x0, y0, x1, y1] = dogNow.bbox;
  const corner = { centre: await screenPoint(page, [(x0 + x1) / 2, (y0 + y1) / 2]),
    se: await screenPoint(page, [x1, y1]), grown: await screenPoint(page, [x1 + 12, y1 + 40]) };
  await page.mouse.click(...corner.centre); // select the dog
  await page.mouse.move(...corner.se);
  await page.mouse.down();
  await page.mouse.move(...corner.grown, { steps: 5 });
  await page.mouse.up();
  await page.waitForFunction(() => document.querySelector(".llms-sketch")?.dataset.edited === "true"
    && document.querySelector(".llms-sketch")?.dataset.state === "ready", null, { timeout: 20_000 });
  const resized = (await previewState(page)).objects.find((o) => o.label === "dog");
  const grew = resized.bbox[3] - resized.bbox[1] - (dogNow.bbox[3] - dogNow.bbox[1]);
  result.resize = { before: dogNow.bbox, after: resized.bbox };
  expect(Math.abs(resized.bbox[0] - dogNow.bbox[0]) < 1 && Math.abs(resized.bbox[1] - dogNow.bbox[1]) < 1
    && grew > 30 && grew < 50, `[${mode}] resizing the dog's corner gave ${JSON.stringify(result.resize)}`);
  await page.click(".llms-sketch button[data-action=delete]");
  await page.waitForFunction(() => {
    const panel = document.querySelector(".llms-sketch");
    return panel?.dataset.state === "ready" && !panel.querySelector('.llms-object[data-label="dog"]');
  }, null, { timeout: 20_000 });
  result.deleted = (await previewState(page)).objects.map((o) => o.label);
  expect(result.deleted.join() === "cat", `[${mode}] after Delete the preview shows ${result.deleted}`);
  await page.click(".llms-sketch button[data-action=reset]");
  const afterReset = await previewState(page);
  expect(afterReset.edited === "false" && afterReset.objects.map((o) => o.label).sort().join() === "cat,dog",
    `[${mode}] Reset to generated shows ${afterReset.objects.map((o) => o.label)}`);

  // 7. outputs restored by the front end (a workflow reopened from the queue): onNodeOutputsUpdated
  const restored = await page.evaluate(async (name) => {
    const app = window.comfyAPI.app.app;
    const outputs = JSON.parse(JSON.stringify(app.nodeOutputs));
    const workflow = app.graph.serialize();
    await app.loadGraphData(workflow, true, true, name);
    const emptied = document.querySelector(".llms-sketch")?.dataset.state;
    app.nodeOutputs = outputs;
    await new Promise((r) => setTimeout(r, 300));
    const panel = document.querySelector(".llms-sketch");
    return { emptied, state: panel?.dataset.state, objects: panel?.querySelectorAll(".llms-object").length,
      check: document.querySelector(`.llms-panel[data-node-type="LLMSketch_CheckLayout"]`)?.dataset.verdict };
  }, args.sketch);
  result.restored = restored;
  expect(restored.emptied === "empty" && restored.state === "ready" && restored.objects === 2
    && restored.check === "pass", `[${mode}] outputs restored through onNodeOutputsUpdated: ${JSON.stringify(restored)}`);
  return finish();

  async function finish() {
    result.consoleProblems = log.problems().map((e) => ({ phase: e.phase, kind: e.kind, text: e.text.slice(0, 500),
      url: e.url }));
    result.frontendNoise = log.noise();
    expect(result.consoleProblems.length === 0,
      `[${mode}] console errors: ${JSON.stringify(result.consoleProblems, null, 1)}`);
    result.timings.total_s = (Date.now() - started) / 1000;
    await context.close();
    return result;
  }
}

const started = Date.now();
const browser = await launch();
const results = { url: args.url, modes: {} };
try {
  for (const mode of args.modes.split(",").map((m) => m.trim()).filter(Boolean)) {
    try {
      results.modes[mode] = await runMode(browser, mode);
    } catch (error) {
      failures.push(`[${mode}] ${error.stack || error}`);
    }
  }
} finally {
  await browser.close();
}
results.total_s = (Date.now() - started) / 1000;
results.failures = failures;
writeFileSync(join(args.out, "result.json"), JSON.stringify(results, null, 2));
if (failures.length) {
  console.error(failures.join("\n"));
  process.exit(1);
}
console.log(`ok: ${Object.keys(results.modes).join(" + ")} in ${results.total_s.toFixed(1)} s; ${join(args.out, "result.json")}`);
