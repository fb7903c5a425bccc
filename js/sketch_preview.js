// Sketch preview and editor on the sketch nodes (Plan Sketch, LLM Sketch).
//
// The node's run sends `ui.sketch` (nodes/sketch_edit.py): the sanitized SVG, its layout, the check and a verdict
// per object. The preview draws the SVG as an <img> from a blob URL of a re-sanitized copy (lib/svg_sanitize.js:
// never live markup) and, over it, each object's box and label (toggleable) in green (its checks pass), red (one
// fails) or blue (the prompt does not name it), with the checklist under it.
//
// Editing: drag an object to move it, drag a corner of the selected object to resize it, Delete (button or key)
// removes it. Each edit goes to the engine through POST /llm_sketch/edit, which rewrites the SVG and answers with
// the new sanitized SVG, layout and verdicts; that SVG is stored in the node's hidden `edited_svg` widget (saved
// with the workflow) and the next run uses it instead of generating a new sketch. "Reset to generated" clears it.
//
// Works on the classic canvas and in the Vue "Nodes 2.0" renderer: the preview is a DOM widget, results arrive
// through onExecuted and onNodeOutputsUpdated.

import { api } from "../../scripts/api.js";
import { app } from "../../scripts/app.js";
import { ensureStyle, el, renderChecklist, svgEl } from "./lib/dom.js";
import { clientToLayout, editFor, fitRect, handleAt, hitTest, moveBox, resizeBox } from "./lib/geometry.js";
import { chain, nodeForLocator } from "./lib/graph.js";
import { parseReport } from "./lib/report.js";
import { sanitizeSvg } from "./lib/svg_sanitize.js";

const NODE_TYPES = new Set(["LLMSketch_PlanSketch", "LLMSketch_LLMSketch"]);
const ROUTE = "/llm_sketch/edit";
const EDITED = "edited_svg";
const HANDLE_PX = 9; // corner handles, in screen pixels
const MIN_SIDE = 4; // px of the layout

const states = new WeakMap(); // node → its preview state

function editedWidget(node) {
  return node.widgets?.find((w) => w.name === EDITED);
}

function markChanged(node) {
  node.setDirtyCanvas?.(true, true);
  try {
    app.extensionManager?.workflow?.activeWorkflow?.changeTracker?.checkState?.();
  } catch {
    // (an older front end without the workflow store: the next mouseup records the change)
  }
}

function setEditedSvg(node, svg) {
  const widget = editedWidget(node);
  if (!widget) return;
  widget.value = svg;
  widget.callback?.(svg);
  markChanged(node);
}

class SketchPreview {
  constructor(node) {
    this.node = node;
    this.payload = null; // what is shown: {svg, width, height, layout, verdicts?, report?, edited}
    this.generated = null; // the last sketch the node generated (not edited): what Reset shows again
    this.selected = null; // object id
    this.drag = null;
    this.busy = false;
    this.blobUrl = null;
    this.shownSvg = null;
    this.message = null;
    this.build();
  }

  build() {
    ensureStyle();
    this.boxesToggle = el("input", { type: "checkbox", checked: true, "data-toggle": "boxes" });
    this.labelsToggle = el("input", { type: "checkbox", checked: true, "data-toggle": "labels" });
    this.deleteButton = el("button", { type: "button", "data-action": "delete", disabled: true,
      title: "Delete the selected object (Delete key)" }, "Delete");
    this.resetButton = el("button", { type: "button", "data-action": "reset", disabled: true,
      title: "Forget the hand edits: the next run generates the sketch again" }, "Reset to generated");
    this.status = el("span", { class: "llms-status" });
    const toolbar = el("div", { class: "llms-toolbar" },
      el("label", { title: "Show each object's box" }, this.boxesToggle, "boxes"),
      el("label", { title: "Show each object's label" }, this.labelsToggle, "labels"),
      this.deleteButton, this.resetButton, this.status);
    this.image = el("img", { class: "llms-image", alt: "sketch", draggable: "false", hidden: true });
    this.overlay = svgEl("svg", { class: "llms-overlay", preserveAspectRatio: "xMidYMid meet" });
    this.empty = el("div", { class: "llms-empty" }, "Run the node to see the sketch. Then drag an object to move "
      + "it, drag a corner to resize it, Delete removes it; the next run uses the edited sketch.");
    this.stage = el("div", { class: "llms-stage" }, this.image, this.overlay, this.empty);
    this.report = el("ul", { class: "llms-report" });
    this.root = el("div", { class: "llms-panel llms-sketch", tabindex: "0", "data-node-type": this.node.type },
      toolbar, this.stage, this.report);

    this.boxesToggle.addEventListener("change", () => this.renderOverlay());
    this.labelsToggle.addEventListener("change", () => this.renderOverlay());
    this.deleteButton.addEventListener("click", () => this.deleteSelected());
    this.resetButton.addEventListener("click", () => this.reset());
    this.overlay.addEventListener("pointerdown", (e) => this.onPointerDown(e));
    this.overlay.addEventListener("pointermove", (e) => this.onPointerMove(e));
    this.overlay.addEventListener("pointerup", (e) => this.onPointerUp(e));
    this.overlay.addEventListener("pointercancel", () => this.cancelDrag());
    this.root.addEventListener("keydown", (e) => this.onKeyDown(e));
    for (const type of ["pointerdown", "pointermove", "pointerup", "wheel", "contextmenu"]) {
      // the canvas (and a Vue node's drag handler) must not see the editor's gestures
      this.stage.addEventListener(type, (e) => e.stopPropagation());
    }
    this.image.addEventListener("error", () => this.setStatus("the sketch could not be drawn", "error"));
    if (typeof ResizeObserver !== "undefined") {
      this.resizeObserver = new ResizeObserver(() => this.renderOverlay());
      this.resizeObserver.observe(this.stage);
    }
  }

  // ---- data in ------------------------------------------------------------------------------------------------
  show(payload, { fromRun = false } = {}) {
    if (!payload || typeof payload.svg !== "string" || !payload.layout) return;
    if (fromRun && !payload.edited) this.generated = payload;
    if (fromRun && this.payload?.pending && payload.edited && payload.svg !== this.editedValue()) {
      // the run used an earlier edit than the one now in the node (edited while it ran): keep showing the newer
      this.setStatus("that run used an earlier edit: run again for this one", "edited");
      return;
    }
    if (fromRun && payload.edited && !this.editedValue()) {
      // a run's output from before a Reset (history, reload): not what the next run will use
      payload = { ...payload, stale: true };
    }
    this.payload = payload;
    if (this.selected && !this.objects().some((o) => o.id === this.selected)) this.selected = null;
    this.message = null;
    this.render();
  }

  editedValue() {
    const value = editedWidget(this.node)?.value;
    return typeof value === "string" && value.trim() ? value : "";
  }

  objects() {
    return this.payload?.layout?.objects ?? [];
  }

  // ---- drawing ------------------------------------------------------------------------------------------------
  render() {
    const payload = this.payload;
    this.root.dataset.edited = String(Boolean(this.editedValue()));
    this.resetButton.disabled = !this.editedValue() || this.busy;
    this.deleteButton.disabled = !this.selected || this.busy || !payload;
    if (!payload) {
      this.image.hidden = true;
      this.empty.hidden = false;
      this.overlay.replaceChildren();
      this.root.dataset.state = "empty";
      renderChecklist(this.report, []);
      this.updateStatus();
      return;
    }
    this.empty.hidden = true;
    if (payload.svg !== this.shownSvg) {
      let markup;
      try {
        markup = sanitizeSvg(payload.svg, { width: payload.width, height: payload.height }).svg;
      } catch (error) {
        this.image.hidden = true;
        this.shownSvg = null;
        this.setStatus(`not shown: ${error.message}`, "error");
        return;
      }
      const url = URL.createObjectURL(new Blob([markup], { type: "image/svg+xml" }));
      if (this.blobUrl) URL.revokeObjectURL(this.blobUrl);
      this.blobUrl = url;
      this.image.src = url;
      this.shownSvg = payload.svg;
    }
    this.image.hidden = false;
    this.root.dataset.state = this.busy ? "busy" : "ready";
    this.root.dataset.objects = String(this.objects().length);
    this.renderOverlay();
    this.renderReport();
    this.updateStatus();
  }

  renderReport() {
    const payload = this.payload;
    const items = payload?.report ? parseReport(payload.report) : [];
    renderChecklist(this.report, items);
    const head = items.find((i) => i.kind === "head");
    this.root.dataset.verdict = head ? (head.passed ? "pass" : "fail") : "none";
  }

  renderOverlay() {
    const payload = this.payload;
    const overlay = this.overlay;
    overlay.replaceChildren();
    if (!payload) return;
    const { width, height } = payload;
    overlay.setAttribute("viewBox", `0 0 ${width} ${height}`);
    // layout px per CSS px, so that labels and handles keep their size on screen
    const cssScale = Math.min((this.stage.clientWidth || width) / width, (this.stage.clientHeight || height) / height)
      || 1;
    const unit = 1 / cssScale;
    const showBoxes = this.boxesToggle.checked;
    const showLabels = this.labelsToggle.checked;
    overlay.append(svgEl("line", { class: "llms-centre", x1: width / 2, y1: 0, x2: width / 2, y2: height }));
    const verdicts = payload.verdicts ?? {};
    const fontSize = 11 * unit;
    for (const object of this.objects()) {
      const verdict = verdicts[object.id];
      const kind = verdict ? (verdict.passed ? "pass" : "fail") : "none";
      const dragged = this.drag?.object.id === object.id && this.drag.box;
      const [x0, y0, x1, y1] = object.bbox;
      const group = svgEl("g", { class: "llms-object", "data-id": object.id, "data-label": object.label,
        "data-verdict": kind, "data-selected": String(this.selected === object.id) });
      const title = svgEl("title");
      title.textContent = [object.label, ...(verdict?.failed ?? []).map((t) => `✗ ${t}`)].join("\n");
      group.append(title);
      if (showBoxes || this.selected === object.id) {
        group.append(svgEl("rect", { class: "llms-box", x: x0, y: y0, width: x1 - x0, height: y1 - y0 }));
      }
      if (showLabels) {
        const tag = svgEl("g", { class: "llms-tag" });
        const text = svgEl("text", { x: x0 + 3 * unit, y: y0 + fontSize + 1 * unit, "font-size": fontSize });
        text.textContent = object.label;
        const approx = object.label.length * fontSize * 0.58 + 6 * unit;
        tag.append(svgEl("rect", { class: "llms-tag-bg", x: x0, y: y0, width: approx,
          height: fontSize + 5 * unit }), text);
        group.append(tag);
      }
      overlay.append(group);
      if (dragged) {
        const [gx0, gy0, gx1, gy1] = this.drag.box;
        overlay.append(svgEl("rect", { class: "llms-ghost", x: gx0, y: gy0, width: gx1 - gx0, height: gy1 - gy0 }));
      }
    }
    const selected = this.objects().find((o) => o.id === this.selected);
    if (selected && !this.busy) {
      const box = this.drag?.object.id === selected.id && this.drag.box ? this.drag.box : selected.bbox;
      const size = HANDLE_PX * unit;
      for (const [cx, cy] of [[box[0], box[1]], [box[2], box[1]], [box[0], box[3]], [box[2], box[3]]]) {
        overlay.append(svgEl("rect", { class: "llms-handle", x: cx - size / 2, y: cy - size / 2, width: size,
          height: size }));
      }
    }
  }

  setStatus(text, kind = "") {
    this.message = { text, kind };
    this.updateStatus();
  }

  updateStatus() {
    let text = "";
    let kind = "";
    if (this.message) {
      ({ text, kind } = this.message);
    } else if (this.busy) {
      text = "applying the edit…";
    } else if (this.payload?.stale) {
      text = "reset: the next run generates the sketch again";
      kind = "edited";
    } else if (this.editedValue()) {
      text = this.payload?.pending ? "edited: run to update the outputs" : "edited sketch (not regenerated)";
      kind = "edited";
    } else if (this.payload) {
      text = `${this.objects().length} object(s)`;
    }
    this.status.textContent = text;
    this.status.dataset.kind = kind;
    this.status.title = text;
  }

  // ---- editing ------------------------------------------------------------------------------------------------
  toLayout(event) {
    const { width, height } = this.payload;
    return clientToLayout(event.clientX, event.clientY, this.overlay.getBoundingClientRect(), width, height);
  }

  tolerance() {
    const { width, height } = this.payload;
    const fit = fitRect(this.overlay.getBoundingClientRect(), width, height);
    return HANDLE_PX / Math.max(fit.scale, 1e-6);
  }

  onPointerDown(event) {
    if (!this.payload || this.busy || event.button !== 0 || this.payload.stale) return;
    event.preventDefault();
    event.stopPropagation();
    this.root.focus({ preventScroll: true });
    const point = this.toLayout(event);
    if (!point) return;
    const tolerance = this.tolerance();
    const selected = this.objects().find((o) => o.id === this.selected);
    const corner = selected ? handleAt(selected.bbox, point.x, point.y, tolerance * 0.75) : null;
    if (corner) {
      this.drag = { mode: "resize", corner, object: selected, start: point, box: null };
    } else {
      const hit = hitTest(this.objects(), point.x, point.y, tolerance / 3);
      this.selected = hit ? hit.id : null;
      this.drag = hit ? { mode: "move", object: hit, start: point, box: null } : null;
    }
    if (this.drag) this.overlay.setPointerCapture?.(event.pointerId);
    this.message = null;
    this.render();
  }

  onPointerMove(event) {
    if (!this.payload) return;
    const point = this.toLayout(event);
    if (!point) return;
    if (!this.drag) {
      this.overlay.dataset.hover = this.hoverKind(point);
      return;
    }
    event.preventDefault();
    event.stopPropagation();
    const { width, height } = this.payload;
    const drag = this.drag;
    if (drag.mode === "move") {
      drag.box = moveBox(drag.object.bbox, point.x - drag.start.x, point.y - drag.start.y, width, height).box;
    } else {
      drag.box = resizeBox(drag.object.bbox, drag.corner, point.x, point.y, width, height, MIN_SIDE);
    }
    this.renderOverlay();
  }

  hoverKind(point) {
    const selected = this.objects().find((o) => o.id === this.selected);
    const corner = selected ? handleAt(selected.bbox, point.x, point.y, this.tolerance() * 0.75) : null;
    if (corner) return corner === "nw" || corner === "se" ? "nwse" : "nesw";
    return hitTest(this.objects(), point.x, point.y) ? "move" : "";
  }

  onPointerUp(event) {
    const drag = this.drag;
    if (!drag) return;
    event.preventDefault();
    event.stopPropagation();
    this.overlay.releasePointerCapture?.(event.pointerId);
    this.drag = null;
    const edit = drag.box ? editFor(drag.object, drag.box) : null;
    if (edit) this.submit([edit]);
    else this.render();
  }

  cancelDrag() {
    this.drag = null;
    this.renderOverlay();
  }

  onKeyDown(event) {
    if ((event.key === "Delete" || event.key === "Backspace") && this.selected) {
      event.preventDefault();
      event.stopPropagation(); // not the canvas's Delete (which removes the selected nodes)
      this.deleteSelected();
    } else if (event.key === "Escape" && this.selected) {
      event.stopPropagation();
      this.selected = null;
      this.render();
    }
  }

  deleteSelected() {
    const object = this.objects().find((o) => o.id === this.selected);
    if (!object || this.busy) return;
    this.submit([{ op: "delete", object: object.id, label: object.label }]);
  }

  async submit(edits) {
    const payload = this.payload;
    this.busy = true;
    this.render();
    const body = { svg: payload.svg, width: payload.width, height: payload.height, edits };
    if (payload.constraints) {
      body.constraints = payload.constraints;
      body.rule = payload.rule ?? "geneval";
    }
    let answer = null;
    let problem = null;
    try {
      const response = await api.fetchApi(ROUTE, {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
      });
      answer = await response.json().catch(() => null);
      if (!response.ok) problem = answer?.error ?? `the server answered ${response.status}`;
    } catch (error) {
      problem = `the server could not be reached (${error.message})`;
    }
    this.busy = false;
    if (problem || !answer || typeof answer.svg !== "string") {
      this.render();
      this.setStatus(`edit not applied: ${problem ?? "no sketch in the answer"}`, "error");
      return;
    }
    if (edits.some((e) => e.op === "delete")) this.selected = null;
    setEditedSvg(this.node, answer.svg);
    const notes = "note: edited by hand — run the node (Queue) to update its outputs and the checks downstream";
    answer.report = answer.report ? `${answer.report}\n${notes}` : notes;
    this.payload = { ...answer, edited: true, pending: true };
    this.message = null;
    this.render();
  }

  reset() {
    if (!this.editedValue()) return;
    setEditedSvg(this.node, "");
    this.selected = null;
    this.payload = this.generated ? { ...this.generated, stale: false } : null;
    this.render();
    this.setStatus(this.generated ? "reset: the generated sketch (the next run plans it again)"
      : "reset: the next run generates the sketch again", "edited");
  }

  /** A workflow was loaded with an edited sketch in it: show it (layout from the server, no verdicts yet). */
  async showStored() {
    const svg = this.editedValue();
    if (!svg || this.payload) return;
    const width = this.node.widgets?.find((w) => w.name === "width")?.value ?? 1024;
    const height = this.node.widgets?.find((w) => w.name === "height")?.value ?? 1024;
    try {
      const response = await api.fetchApi(ROUTE, {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ svg, width, height, edits: [] }),
      });
      const answer = await response.json().catch(() => null);
      if (!response.ok || !answer || this.payload) {
        if (!response.ok) this.setStatus(`stored sketch not shown: ${answer?.error ?? response.status}`, "error");
        return;
      }
      answer.report = "note: the edited sketch saved in this workflow — run the node to check it";
      this.payload = { ...answer, edited: true, pending: true };
      this.render();
    } catch (error) {
      this.setStatus(`stored sketch not shown: ${error.message}`, "error");
    }
  }

  dispose() {
    if (this.blobUrl) URL.revokeObjectURL(this.blobUrl);
    this.blobUrl = null;
    this.resizeObserver?.disconnect();
  }
}

function sketchOf(output) {
  const sketch = output?.sketch;
  return Array.isArray(sketch) ? sketch[0] : null;
}

app.registerExtension({
  name: "LLMSketch.SketchPreview",

  async beforeRegisterNodeDef(nodeType, nodeData) {
    if (!NODE_TYPES.has(nodeData?.name)) return;

    chain(nodeType.prototype, "onNodeCreated", function () {
      const widget = editedWidget(this);
      if (widget) {
        widget.hidden = true; // the classic canvas; Nodes 2.0 reads options.hidden (set from the input spec)
        if (widget.options) widget.options.hidden = true;
      }
      const preview = new SketchPreview(this);
      states.set(this, preview);
      const dom = this.addDOMWidget("sketch_preview", "llm_sketch_preview", preview.root, {
        serialize: false,
        hideOnZoom: false,
        getMinHeight: () => 330,
      });
      dom.serialize = false; // not in widgets_values: saved workflows keep their positions
      const [w, h] = this.size;
      this.setSize([Math.max(w, 380), Math.max(h, this.computeSize()[1])]);
    });

    chain(nodeType.prototype, "onExecuted", function (output) {
      const payload = sketchOf(output);
      if (payload) states.get(this)?.show(payload, { fromRun: true });
    });

    chain(nodeType.prototype, "onConfigure", function () {
      const preview = states.get(this);
      if (!preview) return;
      preview.render();
      // after the widgets got their saved values: show a stored edited sketch
      setTimeout(() => preview.showStored(), 0);
    });

    chain(nodeType.prototype, "onRemoved", function () {
      states.get(this)?.dispose();
    });
  },

  onNodeOutputsUpdated(nodeOutputs) {
    for (const [id, output] of Object.entries(nodeOutputs ?? {})) {
      const payload = sketchOf(output);
      if (!payload) continue;
      const node = nodeForLocator(app.graph, id);
      if (node && NODE_TYPES.has(node.type)) states.get(node)?.show(payload, { fromRun: true });
    }
  },
});
