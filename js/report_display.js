// The text a node reports (`ui.text`), shown on the node: Check Layout's checklist with pass/fail marks, and the
// plain text of Parse Constraints and SVG to Layout. Classic canvas and Nodes 2.0 (a DOM widget, updated from
// onExecuted and onNodeOutputsUpdated). The sketch nodes show their report in the sketch preview instead.

import { app } from "../../scripts/app.js";
import { ensureStyle, el, renderChecklist } from "./lib/dom.js";
import { chain, nodeForLocator } from "./lib/graph.js";
import { firstText, parseReport, tally } from "./lib/report.js";

// node type → how its text is shown
const NODE_TYPES = {
  LLMSketch_CheckLayout: "checklist",
  LLMSketch_ParseConstraints: "plain",
  LLMSketch_SVGToLayout: "plain",
};

const views = new WeakMap();

class ReportView {
  constructor(node, mode) {
    ensureStyle();
    this.mode = mode;
    this.list = el("ul", { class: "llms-report" });
    this.root = el("div", { class: "llms-panel llms-report-only", "data-node-type": node.type, "data-state": "empty",
      "data-verdict": "none" }, this.list);
    this.list.append(el("li", { "data-kind": "info" }, el("span", { class: "llms-text" },
      mode === "checklist" ? "Each check and its verdict show here when the node runs."
        : "The result shows here when the node runs.")));
  }

  show(text) {
    if (typeof text !== "string") return;
    if (this.mode === "checklist") {
      const items = parseReport(text);
      renderChecklist(this.list, items);
      const { verdict, passed, failed } = tally(items);
      Object.assign(this.root.dataset, { verdict, passed: String(passed), failed: String(failed) });
    } else {
      renderChecklist(this.list, [], { plain: text });
    }
    this.root.dataset.state = "ready";
  }
}

app.registerExtension({
  name: "LLMSketch.ReportDisplay",

  async beforeRegisterNodeDef(nodeType, nodeData) {
    const mode = NODE_TYPES[nodeData?.name];
    if (!mode) return;

    chain(nodeType.prototype, "onNodeCreated", function () {
      const view = new ReportView(this, mode);
      views.set(this, view);
      const widget = this.addDOMWidget("report_view", "llm_sketch_report", view.root, {
        serialize: false,
        hideOnZoom: false,
        getMinHeight: () => (mode === "checklist" ? 120 : 80),
      });
      widget.serialize = false; // not in widgets_values
      const [w, h] = this.size;
      this.setSize([Math.max(w, 320), Math.max(h, this.computeSize()[1])]);
    });

    chain(nodeType.prototype, "onExecuted", function (output) {
      views.get(this)?.show(firstText(output));
    });
  },

  onNodeOutputsUpdated(nodeOutputs) {
    for (const [id, output] of Object.entries(nodeOutputs ?? {})) {
      const text = firstText(output);
      if (text === null) continue;
      const node = nodeForLocator(app.graph, id);
      if (node && NODE_TYPES[node.type]) views.get(node)?.show(text);
    }
  },
});
