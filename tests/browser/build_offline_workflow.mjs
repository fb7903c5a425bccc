// Builds workflows/offline_sketch.json in the real ComfyUI frontend (so the file is exactly what the frontend
// saves), and its thumbnail workflows/offline_sketch.jpg from a screenshot after one run.
//
//   python tests/comfy_harness.py serve            # prints the URL
//   node tests/browser/build_offline_workflow.mjs http://127.0.0.1:PORT
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { launch, openComfy, runAndWait, screenshot } from "./comfy_page.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const url = process.argv[2];
if (!url) throw new Error("usage: node tests/browser/build_offline_workflow.mjs http://127.0.0.1:PORT");
const PROMPT = "a cat to the left of a dog";
const NOTE = "Offline sketch: no model, no key, no GPU.\n\n" +
  "1. Queue: Plan Sketch draws the prompt (Parse Constraints reads it), Check Layout checks the sketch and " +
  "Preview Image shows its overlay.\n" +
  "2. In the Plan Sketch preview, drag an object to move it, drag a corner of the selected object to resize it, " +
  "Delete removes it. Green boxes pass their checks, red ones fail.\n" +
  "3. Queue again: the edited sketch is used instead of a new plan (it is saved with the workflow), and Check " +
  "Layout shows the new verdicts. \"Reset to generated\" goes back to planning.";

const browser = await launch();
const { page } = await openComfy(browser, url, { vue: false, viewport: { width: 1400, height: 1040 } });
await page.evaluate(({ PROMPT, NOTE }) => {
  const app = window.comfyAPI.app.app;
  const graph = app.graph;
  graph.clear();
  const add = (type, pos, size) => {
    const node = LiteGraph.createNode(type);
    node.pos = pos;
    graph.add(node);
    if (size) node.setSize(size);
    return node;
  };
  const widget = (node, name) => node.widgets.find((w) => w.name === name);
  const parse = add("LLMSketch_ParseConstraints", [0, 0], [340, 240]);
  widget(parse, "prompt").value = PROMPT;
  const plan = add("LLMSketch_PlanSketch", [370, 0], [440, 800]);
  widget(plan, "prompt").value = PROMPT;
  widget(plan, "width").value = 512;
  widget(plan, "height").value = 512;
  widget(plan, "seed").value = 0;
  widget(plan, "control_after_generate").value = "fixed";
  const check = add("LLMSketch_CheckLayout", [840, 0], [380, 320]);
  const preview = add("PreviewImage", [840, 350], [380, 450]);
  const note = add("Note", [0, 270], [340, 330]);
  note.widgets[0].value = NOTE;
  parse.connect(0, plan, plan.findInputSlot("constraints"));
  parse.connect(0, check, check.findInputSlot("constraints"));
  plan.connect(1, check, check.findInputSlot("layout"));
  plan.connect(plan.outputs.findIndex((o) => o.type === "IMAGE"), check, check.findInputSlot("image"));
  check.connect(check.outputs.findIndex((o) => o.type === "IMAGE"), preview, 0); // the overlay
  app.canvas.ds.offset = [150, 180];
  app.canvas.ds.scale = 1;
  app.canvas.setDirty(true, true);
}, { PROMPT, NOTE });
const workflow = await page.evaluate(() => window.comfyAPI.app.app.graph.serialize());
writeFileSync(join(ROOT, "workflows", "offline_sketch.json"), JSON.stringify(workflow, null, 2) + "\n");
// forget cached outputs so every node runs and shows its result in the thumbnail
await fetch(`${url}/free`, { method: "POST", headers: { "Content-Type": "application/json" },
  body: JSON.stringify({ free_memory: true }) });
await runAndWait(page);
await page.waitForTimeout(500);
await screenshot(page, { path: join(ROOT, "workflows", "offline_sketch.jpg"), type: "jpeg", quality: 80,
  clip: { x: 130, y: 140, width: 1240, height: 860 } });
await browser.close();
console.log("wrote workflows/offline_sketch.json and workflows/offline_sketch.jpg");
