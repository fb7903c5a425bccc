// The real-browser test of Load SVG's upload (tests/test_browser.py runs it).
//
//   node tests/browser/svg_upload.mjs --url http://127.0.0.1:PORT --out DIR [--modes classic,vue]
//
// For each renderer: add a Load SVG node, click its upload button as a user does (a real click on the canvas or
// on the Nodes 2.0 button), check that the file dialog offers .svg files, choose <name>.svg, then drop
// dropped-<mode>.svg onto the node. Writes DIR/result.json: the dialog's accept list, the widget's value and options
// after each step, the node's saved widgets_values and the API prompt's inputs. The Python side checks the files
// that reached the input folder (a same-named file already there must be kept) and runs the node on them.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";

import { launch, openComfy } from "./comfy_page.mjs";

const { values: args } = parseArgs({
  options: {
    url: { type: "string" },
    out: { type: "string" },
    name: { type: "string", default: "upload-probe.svg" },
    modes: { type: "string", default: "classic,vue" },
  },
});
if (!args.url || !args.out) throw new Error("--url and --out are required");
mkdirSync(args.out, { recursive: true });

const NODE = "LLMSketch_LoadSVG";
const chosenSvg = (mode) => `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="48" data-mode="${mode}">`
  + `<rect width="64" height="48" fill="red"/></svg>`;
const droppedSvg = (mode) => `<svg xmlns="http://www.w3.org/2000/svg" width="32" height="96" data-mode="${mode}">`
  + `<circle cx="16" cy="48" r="16" fill="blue"/></svg>`;

async function widgetState(page) {
  return page.evaluate((type) => {
    const app = window.comfyAPI.app.app;
    const node = app.graph.nodes.find((n) => n.type === type);
    const widget = node.widgets.find((w) => w.name === "svg_file");
    return { value: widget.value, options: [...widget.options.values] };
  }, NODE);
}

async function waitForValue(page, previous) {
  await page.waitForFunction(({ type, previous }) => {
    const node = window.comfyAPI.app.app.graph.nodes.find((n) => n.type === type);
    const value = node.widgets.find((w) => w.name === "svg_file").value;
    return value && value !== previous;
  }, { type: NODE, previous }, { timeout: 20_000 });
}

/** Where to click the node's upload button, in page coordinates. */
async function buttonPoint(page, vue) {
  if (vue) {
    const button = page.locator(".lg-node button", { hasText: /choose SVG file/i }).first();
    await button.waitFor({ timeout: 15_000 });
    const box = await button.boundingBox();
    return [box.x + box.width / 2, box.y + box.height / 2];
  }
  return page.evaluate((type) => {
    const app = window.comfyAPI.app.app;
    const node = app.graph.nodes.find((n) => n.type === type);
    const button = node.widgets.find((w) => w.type === "button");
    const y = node.pos[1] + (button.y ?? button.last_y) + 10;
    const [cx, cy] = app.canvas.ds.convertOffsetToCanvas([node.pos[0] + node.size[0] / 2, y]);
    const rect = app.canvas.canvas.getBoundingClientRect();
    return [rect.left + cx, rect.top + cy];
  }, NODE);
}

/** Click the upload button until the file dialog opens: the frontend may still move the canvas when the first
 * click lands (a banner appearing over it shifts everything down), so each try measures the button again. */
async function clickForChooser(page, vue, tries = 3) {
  for (let i = 1; ; i += 1) {
    const [x, y] = await buttonPoint(page, vue);
    try {
      const [chooser] = await Promise.all([page.waitForEvent("filechooser", { timeout: 5_000 }),
        page.mouse.click(x, y)]);
      return chooser;
    } catch (error) {
      if (i >= tries) throw error;
    }
  }
}

/** Drop a file onto the node as the OS does: dragover, then drop, on the canvas element. */
async function dropFile(page, vue, name, text) {
  return page.evaluate(({ type, name, text, vue }) => {
    const app = window.comfyAPI.app.app;
    const node = app.graph.nodes.find((n) => n.type === type);
    const [cx, cy] = app.canvas.ds.convertOffsetToCanvas([node.pos[0] + node.size[0] / 2, node.pos[1] + 10]);
    const rect = app.canvas.canvas.getBoundingClientRect();
    const point = { clientX: rect.left + cx, clientY: rect.top + cy, bubbles: true, cancelable: true };
    const target = (vue && document.elementFromPoint(point.clientX, point.clientY)) || app.canvas.canvas;
    const transfer = new DataTransfer();
    transfer.items.add(new File([text], name, { type: "image/svg+xml" }));
    target.dispatchEvent(new DragEvent("dragover", { ...point, dataTransfer: transfer }));
    target.dispatchEvent(new DragEvent("drop", { ...point, dataTransfer: transfer }));
    return target.tagName;
  }, { type: NODE, name, text, vue });
}

const result = { modes: {}, failures: [] };
const browser = await launch();
try {
  for (const mode of args.modes.split(",")) {
    const vue = mode === "vue";
    const { context, page, log } = await openComfy(browser, args.url, { vue });
    const step = { chosen: chosenSvg(mode), dropped: droppedSvg(mode), droppedName: `dropped-${mode}.svg` };
    try {
      log.phase = "upload";
      await page.evaluate((type) => {
        const app = window.comfyAPI.app.app;
        app.graph.clear();
        const node = LiteGraph.createNode(type);
        node.pos = [200, 150];
        app.graph.add(node);
        app.canvas.ds.offset = [0, 0];
        app.canvas.ds.scale = 1;
        app.canvas.setDirty(true, true);
      }, NODE);
      await page.waitForTimeout(800);
      step.before = await widgetState(page);

      const chooser = await clickForChooser(page, vue);
      step.accept = await chooser.element().getAttribute("accept");
      await chooser.setFiles({ name: args.name, mimeType: "image/svg+xml", buffer: Buffer.from(step.chosen) });
      await waitForValue(page, step.before.value);
      step.afterChoose = await widgetState(page);

      step.dropTarget = await dropFile(page, vue, step.droppedName, step.dropped);
      await waitForValue(page, step.afterChoose.value);
      step.afterDrop = await widgetState(page);

      const saved = await page.evaluate(async (type) => {
        const app = window.comfyAPI.app.app;
        const node = app.graph.nodes.find((n) => n.type === type);
        const { output } = await app.graphToPrompt();
        return { widgetsValues: node.serialize().widgets_values, apiInputs: output[String(node.id)].inputs };
      }, NODE);
      Object.assign(step, saved);
      step.consoleProblems = log.problems().map((e) => e.text.split("\n")[0]);
    } catch (error) {
      result.failures.push(`${mode}: ${error.message.split("\n")[0]}`);
      await page.screenshot({ path: join(args.out, `upload-${mode}-failure.png`) }).catch(() => {});
    } finally {
      result.modes[mode] = step;
      await context.close();
    }
  }
} finally {
  await browser.close();
  writeFileSync(join(args.out, "result.json"), JSON.stringify(result, null, 2));
}
if (result.failures.length) {
  console.error(result.failures.join("\n"));
  process.exit(1);
}
