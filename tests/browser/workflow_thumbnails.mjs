// Loads each example workflow written by tests/make_workflows.py into the real ComfyUI frontend, saves it back as
// the frontend serializes it (so the file is what the frontend saves), runs the part of it that needs no model
// file (nodes that depend on a checkpoint, ControlNet or GLIGEN file are muted for the run, then unmuted), and
// writes its thumbnail workflows/<name>.jpg: the whole graph with the sketch and control-map previews filled in.
//
//   python tests/comfy_harness.py serve            # prints the ComfyUI URL
//   python tests/llm_server.py                     # prints the test LLM server's URL (a correct sketch, always)
//   node tests/browser/workflow_thumbnails.mjs http://127.0.0.1:PORT http://127.0.0.1:LLMPORT/v1
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { launch, loadWorkflow, openComfy, runAndWait, screenshot, setSetting } from "./comfy_page.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const [url, llmUrl] = process.argv.slice(2);
if (!url || !llmUrl) {
  throw new Error("usage: node tests/browser/workflow_thumbnails.mjs COMFY_URL LLM_URL");
}
const NAMES = ["sketch_controlnet_scribble_sd15", "sketch_img2img_sd15", "regional_controlnet_sdxl",
  "gligen_boxes_sd15", "llm_sketch_best_of_n"];
const NEEDS_FILES = ["CheckpointLoaderSimple", "ControlNetLoader", "GLIGENLoader"];
const VIEW = { width: 2300, height: 1300 };
const CLIP = { x: 80, y: 110, width: 2080, height: 1170 }; // clear of the side bar, the tabs and the banner

// draw text at the small zoom a whole graph needs (the frontend otherwise draws bare boxes below 8 px text)
await setSetting(url, "LiteGraph.Canvas.MinFontSizeForLOD", 1);
await setSetting(url, "LiteGraph.Canvas.LowQualityRenderingZoomThreshold", 0.1);
await setSetting(url, "Comfy.Graph.CanvasInfo", false); // no FPS corner
await setSetting(url, "Comfy.NodeBadge.NodeSourceBadgeMode", "None"); // no test folder name on every node
const browser = await launch();
const { page, log } = await openComfy(browser, url, { vue: false, viewport: VIEW });
const problems = [];
for (const name of NAMES) {
  const path = join(ROOT, "workflows", `${name}.json`);
  const loaded = await loadWorkflow(page, JSON.parse(readFileSync(path, "utf8")), `${name}.json`);
  if (loaded.missing.length || loaded.dialogs.length) problems.push({ name, ...loaded });
  // tidy the layout: each node at least its computed size, columns (by x) stacked without overlaps
  await page.evaluate(() => {
    const graph = window.comfyAPI.app.app.graph;
    const columns = new Map();
    for (const node of graph.nodes) {
      const min = node.computeSize();
      node.setSize([Math.max(node.size[0], min[0]), Math.max(node.size[1], min[1])]);
      if (!columns.has(node.pos[0])) columns.set(node.pos[0], []);
      columns.get(node.pos[0]).push(node);
    }
    let x = 0;
    for (const key of [...columns.keys()].sort((a, b) => a - b)) {
      const nodes = columns.get(key).sort((a, b) => a.pos[1] - b.pos[1]);
      let y = 0;
      for (const node of nodes) {
        node.pos = [x, y];
        y += node.size[1] + 50;
      }
      x += Math.max(...nodes.map((n) => n.size[0])) + 40;
    }
    graph.setDirtyCanvas(true, true);
  });
  const saved = await page.evaluate(() => window.comfyAPI.app.app.graph.serialize());
  writeFileSync(path, JSON.stringify(saved, null, 2) + "\n");
  // mute what needs model files (and everything downstream of it), point the LLM at the test server, run
  await page.evaluate(({ NEEDS_FILES, llmUrl }) => {
    const graph = window.comfyAPI.app.app.graph;
    const muted = new Set(graph.nodes.filter((n) => NEEDS_FILES.includes(n.type)).map((n) => n.id));
    for (let grew = true; grew;) {
      grew = false;
      for (const link of Object.values(graph.links ?? {})) {
        if (link && muted.has(link.origin_id) && !muted.has(link.target_id)) {
          muted.add(link.target_id);
          grew = true;
        }
      }
    }
    window.__llmsThumb = { modes: {}, urls: {} };
    for (const node of graph.nodes) {
      if (muted.has(node.id)) {
        window.__llmsThumb.modes[node.id] = node.mode;
        node.mode = 2;
      }
      const base = node.widgets?.find((w) => w.name === "base_url");
      if (node.type === "LLMSketch_LLMSketch" && base) {
        window.__llmsThumb.urls[node.id] = base.value;
        base.value = llmUrl;
      }
    }
  }, { NEEDS_FILES, llmUrl });
  await fetch(`${url}/free`, { method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ free_memory: true }) });
  await runAndWait(page);
  await page.evaluate((CLIP) => { window.__llmsClip = CLIP; }, CLIP);
  await page.evaluate(() => {
    const app = window.comfyAPI.app.app;
    for (const node of app.graph.nodes) {
      if (node.id in window.__llmsThumb.modes) node.mode = window.__llmsThumb.modes[node.id];
      if (node.id in window.__llmsThumb.urls) node.widgets.find((w) => w.name === "base_url").value =
        window.__llmsThumb.urls[node.id];
    }
    // fit the whole graph in the part of the canvas no toolbar covers (CLIP below, in page pixels)
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (const node of app.graph.nodes) {
      x0 = Math.min(x0, node.pos[0]);
      y0 = Math.min(y0, node.pos[1] - 30);
      x1 = Math.max(x1, node.pos[0] + node.size[0]);
      y1 = Math.max(y1, node.pos[1] + node.size[1]);
    }
    const canvas = app.canvas;
    const box = canvas.canvas.getBoundingClientRect();
    const clip = window.__llmsClip;
    const scale = Math.min((clip.width - 20) / (x1 - x0), (clip.height - 20) / (y1 - y0), 1);
    canvas.ds.scale = scale;
    canvas.ds.offset = [(clip.x + 10 - box.left) / scale - x0, (clip.y + 10 - box.top) / scale - y0];
    canvas.setDirty(true, true);
  });
  await page.waitForTimeout(800);
  await screenshot(page, { path: join(ROOT, "workflows", `${name}.jpg`), type: "jpeg", quality: 82, clip: CLIP });
  console.log(`wrote workflows/${name}.json and workflows/${name}.jpg`);
}
await browser.close();
const errors = log.problems();
if (problems.length || errors.length) {
  console.error(JSON.stringify({ problems, console: errors }, null, 2));
  process.exit(1);
}
