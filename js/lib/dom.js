// Small DOM helpers shared by the pack's front-end features (sketch_preview.js, report_display.js).
// Everything is built with createElement / textContent: no markup from a node's output is ever parsed.
// Importing this module does nothing; the functions touch `document` only when called.

const STYLE_ID = "llm-sketch-style";

const CSS = `
.llms-panel { box-sizing: border-box; width: 100%; height: 100%; display: flex; flex-direction: column; gap: 4px;
  font: 12px/1.35 system-ui, sans-serif; color: var(--fg-color, #ddd); min-height: 0; outline: none; }
.llms-toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; flex: 0 0 auto; }
.llms-toolbar label { display: inline-flex; align-items: center; gap: 3px; cursor: pointer; user-select: none; }
.llms-toolbar button { font: inherit; padding: 1px 8px; border-radius: 4px; cursor: pointer;
  border: 1px solid var(--border-color, #555); background: var(--comfy-input-bg, #222); color: inherit; }
.llms-toolbar button:disabled { opacity: .45; cursor: default; }
.llms-status { margin-left: auto; opacity: .85; white-space: nowrap; overflow: hidden; text-overflow: ellipsis;
  max-width: 60%; }
.llms-status[data-kind="error"] { color: #f87171; opacity: 1; }
.llms-status[data-kind="edited"] { color: #fbbf24; opacity: 1; }
.llms-stage { position: relative; flex: 1 1 auto; min-height: 200px; border-radius: 4px; overflow: hidden;
  background: repeating-conic-gradient(#2a2a2a 0% 25%, #333 0% 50%) 50% / 16px 16px; touch-action: none; }
[data-node-id] .llms-stage { min-height: 340px; }
.llms-stage > img, .llms-stage > svg { position: absolute; inset: 0; width: 100%; height: 100%; }
.llms-stage > img { object-fit: contain; pointer-events: none; user-select: none; -webkit-user-drag: none; }
.llms-stage > img[hidden] { display: none; }
.llms-overlay { cursor: default; }
.llms-overlay[data-hover="move"] { cursor: move; }
.llms-overlay[data-hover="nwse"] { cursor: nwse-resize; }
.llms-overlay[data-hover="nesw"] { cursor: nesw-resize; }
.llms-overlay .llms-box { fill: transparent; stroke-width: 2; vector-effect: non-scaling-stroke; }
.llms-overlay [data-verdict="pass"] .llms-box { stroke: #2ea043; }
.llms-overlay [data-verdict="fail"] .llms-box { stroke: #dc2626; }
.llms-overlay [data-verdict="none"] .llms-box { stroke: #3b82f6; }
.llms-overlay [data-selected="true"] .llms-box { stroke-width: 3; stroke-dasharray: 6 3; }
.llms-overlay .llms-tag-bg { stroke: none; }
.llms-overlay [data-verdict="pass"] .llms-tag-bg { fill: #2ea043; }
.llms-overlay [data-verdict="fail"] .llms-tag-bg { fill: #dc2626; }
.llms-overlay [data-verdict="none"] .llms-tag-bg { fill: #3b82f6; }
.llms-overlay .llms-tag text { fill: #fff; font-family: system-ui, sans-serif; }
.llms-overlay .llms-ghost { fill: rgba(255,255,255,.12); stroke: #fff; stroke-width: 2; stroke-dasharray: 4 3;
  vector-effect: non-scaling-stroke; }
.llms-overlay .llms-handle { fill: #fff; stroke: #111; stroke-width: 1; vector-effect: non-scaling-stroke; }
.llms-overlay .llms-centre { stroke: rgba(255,255,255,.35); stroke-dasharray: 3 4; stroke-width: 1;
  vector-effect: non-scaling-stroke; }
.llms-empty { position: absolute; inset: 0; display: flex; align-items: center; justify-content: center;
  padding: 12px; text-align: center; opacity: .7; }
.llms-empty[hidden] { display: none; }
.llms-report { flex: 0 1 auto; overflow: auto; max-height: 40%; min-height: 0; margin: 0; padding: 0;
  list-style: none; }
.llms-panel.llms-report-only .llms-report { max-height: none; flex: 1 1 auto; }
.llms-report li { display: block; padding: 1px 2px 1px 1.5em; text-indent: -1.3em; }
.llms-report li .llms-mark { display: inline-block; width: 1.3em; text-indent: 0; text-align: center;
  font-weight: 700; }
.llms-report li .llms-detail { margin-left: .35em; }
.llms-report li[data-kind="pass"] .llms-mark { color: #2ea043; }
.llms-report li[data-kind="fail"] .llms-mark { color: #ef4444; }
.llms-report li[data-kind="head"] { font-weight: 700; padding: 2px 4px; text-indent: 0; border-radius: 3px; }
.llms-report li[data-kind="head"][data-passed="true"] { background: rgba(46,160,67,.25); }
.llms-report li[data-kind="head"][data-passed="false"] { background: rgba(220,38,38,.25); }
.llms-report li[data-kind="note"], .llms-report li[data-kind="info"] { opacity: .75; }
.llms-report li .llms-detail { opacity: .75; }
.llms-report li.llms-plain { white-space: pre-wrap; text-indent: 0; padding-left: 2px;
  font-family: ui-monospace, monospace; font-size: 11px; }
`;

export function ensureStyle(doc = document) {
  if (doc.getElementById(STYLE_ID)) return;
  const style = doc.createElement("style");
  style.id = STYLE_ID;
  style.textContent = CSS;
  doc.head.appendChild(style);
}

/** An HTML element: el("button", {class: "x", type: "button"}, "text", child, …). */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (key === "class") node.className = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

const SVG_NS = "http://www.w3.org/2000/svg";

/** An SVG element with attributes (numbers are written as they are). */
export function svgEl(tag, attributes = {}) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value !== null && value !== undefined) node.setAttribute(key, String(value));
  }
  return node;
}

const MARKS = { pass: "✓", fail: "✗", head: "", note: "•", info: "" };

/** Fill `list` (a <ul>) with the parsed report items (lib/report.js), each with its pass/fail mark. With
 * `plain`, the text is shown as it is, one item. */
export function renderChecklist(list, items, { plain = null } = {}) {
  list.replaceChildren();
  if (plain !== null) {
    list.append(el("li", { class: "llms-plain", "data-kind": "info" }, plain));
    return;
  }
  for (const item of items) {
    const li = el("li", { "data-kind": item.kind });
    if (item.kind === "head") li.setAttribute("data-passed", String(item.passed));
    const mark = MARKS[item.kind];
    if (mark !== "" || item.kind === "info") li.append(el("span", { class: "llms-mark" }, mark));
    const text = item.kind === "note" ? `${item.label}: ${item.text}` : item.text;
    li.append(el("span", { class: "llms-text" }, text));
    if (item.detail) li.append(el("span", { class: "llms-detail" }, `— ${item.detail}`));
    list.append(li);
  }
}
