// Load SVG's upload: a button whose file dialog lists .svg files, and .svg files dropped onto the node.
//
// ComfyUI's image uploader only offers PNG, JPEG and WebP in its dialog (and previews the file as a picture,
// asking for one even when the list is empty), so the node has its own: the file goes to ComfyUI's input folder
// through the standard /upload/image route, which never overwrites a different file of the same name (it picks
// "name (1).svg"), and becomes the widget's value. The server sanitizes the file when the node runs.
import { api } from "../../scripts/api.js";
import { app } from "../../scripts/app.js";
import { chain } from "./lib/graph.js";

const NODE = "LLMSketch_LoadSVG";
const ACCEPT = ".svg,image/svg+xml";
const BUTTON = "choose SVG file to upload"; // the button's name is its caption (Nodes 2.0 shows the name)

const isSvg = (file) => file.type === "image/svg+xml" || /\.svg$/i.test(file.name);

function notify(severity, summary, detail) {
  const toast = app.extensionManager?.toast;
  if (toast?.add) toast.add({ severity, summary, detail, life: severity === "error" ? 8000 : 3000 });
  else if (severity === "error") alert(`${summary}: ${detail}`);
}

/** Upload one file to the input folder; returns the name the server stored it under. */
async function upload(file) {
  const body = new FormData();
  body.append("image", file, file.name);
  body.append("type", "input");
  const response = await api.fetchApi("/upload/image", { method: "POST", body });
  if (response.status !== 200) {
    throw new Error(`the server answered ${response.status} ${response.statusText}`.trim());
  }
  const stored = await response.json();
  return stored.subfolder ? `${stored.subfolder}/${stored.name}` : stored.name;
}

async function useFiles(node, files) {
  const widget = node.widgets?.find((w) => w.name === "svg_file");
  const svgs = [...files].filter(isSvg);
  if (!widget || !svgs.length) return false; // anything else (a workflow PNG, say) is ComfyUI's to handle
  try {
    const name = await upload(svgs[0]);
    const values = widget.options.values;
    if (Array.isArray(values) && !values.includes(name)) values.push(name);
    widget.value = name;
    widget.callback?.(name);
    node.setDirtyCanvas?.(true, true);
    notify("success", "Load SVG", `Uploaded ${name} to the input folder.`);
  } catch (error) {
    notify("error", "Load SVG: upload failed", `${error.message}. Is ComfyUI still running?`);
  }
  return true;
}

function chooseFile(node) {
  const input = document.createElement("input");
  input.type = "file";
  input.accept = ACCEPT;
  input.style.display = "none";
  input.addEventListener("change", () => {
    if (input.files?.length) useFiles(node, input.files);
    input.remove();
  });
  document.body.append(input);
  input.click();
}

app.registerExtension({
  name: "LLMSketch.SVGUpload",

  async beforeRegisterNodeDef(nodeType, nodeData) {
    if (nodeData.name !== NODE) return;
    chain(nodeType.prototype, "onNodeCreated", function () {
      const button = this.addWidget("button", BUTTON, null, () => chooseFile(this), { serialize: false });
      button.serialize = false; // not a value: kept out of the workflow's widgets_values
    });
    nodeType.prototype.onDragOver = function (event) {
      return [...(event.dataTransfer?.items ?? [])].some((item) => item.kind === "file");
    };
    nodeType.prototype.onDragDrop = async function (event) {
      const files = event.dataTransfer?.files;
      return files?.length ? useFiles(this, files) : false;
    };
  },
});
