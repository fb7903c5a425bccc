"""UI-format workflows (what ComfyUI's frontend saves and loads) ⇄ API-format graphs (what ``POST /prompt`` runs).

``ui_to_api(workflow, object_info)`` converts as the frontend does when it queues a graph: each node's
``widgets_values`` are positional, in the order of the node's widget inputs in ``/object_info`` (``input_order``:
required, then optional), where the frontend adds pseudo-widgets that hold a saved value but are no input: the
``control_after_generate`` combo after a seed ("fixed", "randomize", …) and the upload button after an
``image_upload`` combo. Links override widget values (a widget converted to an input). Frontend-only nodes (Note,
MarkdownNote, Reroute) are left out and muted nodes (mode 2) too; links through a Reroute are followed.

``check_workflow(workflow, object_info)`` lists what would break loading or running it: unknown node types, links
whose type is not the source output's or the target input's, inputs linked twice, widget counts that do not match.

``Builder`` writes UI-format workflows from a short description, filling every widget in ``object_info``'s order
(defaults for those not given): ``tests/make_workflows.py`` uses it for the shipped ``workflows/``.

Standard library only.
"""

from __future__ import annotations

import json

FRONTEND_ONLY = {"Note", "MarkdownNote", "Reroute", "PrimitiveNode"}
WIDGET_TYPES = {"INT", "FLOAT", "STRING", "BOOLEAN", "COMBO"}


class WorkflowError(ValueError):
    pass


# ---- object_info ---------------------------------------------------------------------------------------------------
def input_specs(spec: dict) -> list[tuple[str, object, dict, bool]]:
    """(name, type, options, optional) for each input of a node, in the frontend's order (hidden ones left out)."""
    order = spec.get("input_order") or {k: list(v) for k, v in spec["input"].items()}
    out = []
    for group in ("required", "optional"):
        for name in order.get(group, []):
            entry = spec["input"].get(group, {}).get(name)
            if entry is None:
                continue
            kind = entry[0]
            options = entry[1] if len(entry) > 1 and isinstance(entry[1], dict) else {}
            out.append((name, kind, options, group == "optional"))
    return out


def is_widget(kind, options: dict) -> bool:
    if options.get("forceInput"):
        return False
    return isinstance(kind, list) or kind in WIDGET_TYPES


def widget_slots(spec: dict) -> list[tuple[str | None, dict]]:
    """The positional slots of ``widgets_values``: (input name, options) per widget, (None, {}) per pseudo-widget."""
    slots = []
    for name, kind, options, _ in input_specs(spec):
        if not is_widget(kind, options):
            continue
        slots.append((name, options))
        if options.get("control_after_generate"):
            slots.append((None, {"pseudo": "control_after_generate"}))
        if options.get("image_upload") or options.get("video_upload") or options.get("audio_upload"):
            slots.append((None, {"pseudo": "upload"}))
    return slots


def type_of(kind) -> str:
    return "COMBO" if isinstance(kind, list) else str(kind)


# ---- UI → API --------------------------------------------------------------------------------------------------------
def _sources(workflow: dict) -> dict[int, tuple[int, int]]:
    """link id → (origin node id, origin slot), following links through Reroute nodes."""
    nodes = {n["id"]: n for n in workflow["nodes"]}
    links = {link[0]: link for link in workflow.get("links", [])}

    def resolve(link_id, seen=()):
        link = links[link_id]
        origin = nodes.get(link[1])
        if origin is not None and origin["type"] == "Reroute":
            upstream = (origin.get("inputs") or [{}])[0].get("link")
            if upstream is None or link_id in seen:
                raise WorkflowError(f"a Reroute (node {origin['id']}) has nothing connected")
            return resolve(upstream, seen + (link_id,))
        return (link[1], link[2])

    return {link_id: resolve(link_id) for link_id in links}


def ui_to_api(workflow: dict, object_info: dict) -> dict:
    """The API-format graph ``POST /prompt`` takes for a UI-format workflow (see the module doc)."""
    sources = _sources(workflow)
    skipped = {n["id"] for n in workflow["nodes"] if n["type"] in FRONTEND_ONLY or n.get("mode") == 2}
    api = {}
    for node in workflow["nodes"]:
        if node["id"] in skipped:
            continue
        spec = object_info.get(node["type"])
        if spec is None:
            raise WorkflowError(f"node {node['id']}: unknown node type {node['type']!r}")
        if node.get("mode") == 4:
            raise WorkflowError(f"node {node['id']} ({node['type']}) is bypassed: not supported by this converter")
        values = node.get("widgets_values") or []
        if isinstance(values, dict):
            raise WorkflowError(f"node {node['id']}: widgets_values as a dict is not supported")
        slots = widget_slots(spec)
        if len(values) != len(slots):
            raise WorkflowError(f"node {node['id']} ({node['type']}): {len(values)} widget values for "
                                f"{len(slots)} widgets {[s[0] or s[1]['pseudo'] for s in slots]}")
        inputs = {name: value for (name, _), value in zip(slots, values) if name is not None}
        for entry in node.get("inputs") or []:
            if entry.get("link") is None:
                continue
            origin, slot = sources[entry["link"]]
            if origin in skipped:
                continue
            inputs[entry["name"]] = [str(origin), slot]
        api[str(node["id"])] = {"class_type": node["type"], "inputs": inputs,
                                "_meta": {"title": node.get("title") or spec.get("display_name") or node["type"]}}
    return api


# ---- checks ------------------------------------------------------------------------------------------------------------
def _compatible(a: str, b: str) -> bool:
    if "*" in (a, b):
        return True
    return bool(set(a.split(",")) & set(b.split(",")))


def check_workflow(workflow: dict, object_info: dict) -> list[str]:
    """Problems that would stop the workflow loading or running (empty when there are none)."""
    problems = []
    nodes = {n["id"]: n for n in workflow["nodes"]}
    for node in workflow["nodes"]:
        if node["type"] in FRONTEND_ONLY:
            continue
        spec = object_info.get(node["type"])
        if spec is None:
            problems.append(f"node {node['id']}: {node['type']} is not a node ComfyUI knows")
            continue
        values = node.get("widgets_values") or []
        if len(values) != len(widget_slots(spec)):
            problems.append(f"node {node['id']} ({node['type']}): {len(values)} widget values for "
                            f"{len(widget_slots(spec))} widgets")
        known = {name: type_of(kind) for name, kind, _, _ in input_specs(spec)}
        linked = [e["name"] for e in node.get("inputs") or [] if e.get("link") is not None]
        if len(linked) != len(set(linked)):
            problems.append(f"node {node['id']}: an input is linked twice")
        for name in linked:
            if name not in known:
                problems.append(f"node {node['id']} ({node['type']}): no input named {name!r}")
        for name, kind, options, optional in input_specs(spec):
            if not optional and not is_widget(kind, options) and name not in linked:
                problems.append(f"node {node['id']} ({node['type']}): required input {name!r} is not connected")
    for link in workflow.get("links", []):
        link_id, origin_id, origin_slot, target_id, target_slot, kind = link[:6]
        origin, target = nodes.get(origin_id), nodes.get(target_id)
        if origin is None or target is None:
            problems.append(f"link {link_id}: a node it joins is missing")
            continue
        if origin["type"] not in FRONTEND_ONLY and origin["type"] in object_info:
            outputs = object_info[origin["type"]]["output"]
            if origin_slot >= len(outputs):
                problems.append(f"link {link_id}: {origin['type']} has no output {origin_slot}")
            elif not _compatible(str(outputs[origin_slot]), str(kind)):
                problems.append(f"link {link_id}: {origin['type']} output {origin_slot} is {outputs[origin_slot]}, "
                                f"the link says {kind}")
            out_links = (origin.get("outputs") or [{}] * (origin_slot + 1))[origin_slot].get("links") or []
            if link_id not in out_links:
                problems.append(f"link {link_id}: not listed on {origin['type']}'s output {origin_slot}")
        if target["type"] not in FRONTEND_ONLY and target["type"] in object_info:
            entries = target.get("inputs") or []
            if target_slot >= len(entries) or entries[target_slot].get("link") != link_id:
                problems.append(f"link {link_id}: {target['type']}'s input slot {target_slot} does not hold it")
                continue
            name = entries[target_slot]["name"]
            specs = {n: type_of(k) for n, k, _, _ in input_specs(object_info[target["type"]])}
            if name in specs and not _compatible(specs[name], str(kind)):
                if not (specs[name] == "COMBO" and kind in ("COMBO", "STRING")):
                    problems.append(f"link {link_id}: {target['type']}.{name} takes {specs[name]}, the link "
                                    f"carries {kind}")
    return problems


# ---- building ----------------------------------------------------------------------------------------------------------
class Builder:
    """A UI-format workflow, node by node::

        b = Builder(object_info)
        ckpt = b.node("CheckpointLoaderSimple", (0, 0), ckpt_name="v1-5-pruned-emaonly.safetensors")
        enc = b.node("CLIPTextEncode", (400, 0), text="a cat")
        b.link(ckpt, "CLIP", enc, "clip")
        json.dump(b.workflow(), ...)
    """

    def __init__(self, object_info: dict):
        self.info = object_info
        self.nodes: list[dict] = []
        self.links: list[list] = []

    def node(self, node_type: str, pos, size=(320, 180), title: str | None = None, **widgets) -> dict:
        kind = node_type
        spec = self.info[kind]
        inputs, values = [], []
        sockets, widget_inputs = [], []
        for name, k, options, optional in input_specs(spec):
            entry = {"localized_name": name, "name": name, "type": type_of(k), "link": None}
            if optional:
                entry["shape"] = 7
            if is_widget(k, options):
                entry["widget"] = {"name": name}
                widget_inputs.append(entry)
            else:
                sockets.append(entry)
        inputs = sockets + widget_inputs
        for name, options in widget_slots(spec):
            if name is None:
                values.append("fixed" if options["pseudo"] == "control_after_generate" else "image")
                continue
            if name in widgets:
                values.append(widgets.pop(name))
            elif "default" in options:
                values.append(options["default"])
            else:
                kind_ = dict((n, k) for n, k, _, _ in input_specs(spec))[name]
                choices = kind_ if isinstance(kind_, list) else options.get("options", [""])
                values.append(choices[0] if choices else "")
        if widgets:
            raise WorkflowError(f"{kind} has no widgets {sorted(widgets)}")
        outputs = [{"localized_name": str(name), "name": str(name), "type": str(t), "links": None}
                   for t, name in zip(spec["output"], spec.get("output_name") or spec["output"])]
        node = {"id": len(self.nodes) + 1, "type": kind, "pos": list(pos), "size": list(size), "flags": {},
                "order": len(self.nodes), "mode": 0, "inputs": inputs, "outputs": outputs,
                "properties": {"Node name for S&R": kind}, "widgets_values": values}
        if title:
            node["title"] = title
        self.nodes.append(node)
        return node

    def note(self, text: str, pos, size=(420, 260)) -> dict:
        node = {"id": len(self.nodes) + 1, "type": "Note", "pos": list(pos), "size": list(size), "flags": {},
                "order": len(self.nodes), "mode": 0, "inputs": [], "outputs": [], "properties": {},
                "widgets_values": [text], "color": "#432", "bgcolor": "#653"}
        self.nodes.append(node)
        return node

    def link(self, origin: dict, output, target: dict, input_name: str) -> None:
        spec = self.info[origin["type"]]
        if isinstance(output, str):
            names = [str(n) for n in spec.get("output_name") or spec["output"]]
            slot = names.index(output) if output in names else [str(t) for t in spec["output"]].index(output)
        else:
            slot = output
        kind = str(spec["output"][slot])
        entries = target["inputs"]
        index = next((i for i, e in enumerate(entries) if e["name"] == input_name), None)
        if index is None:
            raise WorkflowError(f"{target['type']} has no input {input_name!r}")
        link_id = len(self.links) + 1
        entries[index]["link"] = link_id
        out = origin["outputs"][slot]
        out["links"] = (out["links"] or []) + [link_id]
        self.links.append([link_id, origin["id"], slot, target["id"], index, kind])

    def workflow(self) -> dict:
        return {"id": "00000000-0000-0000-0000-000000000000", "revision": 0, "last_node_id": len(self.nodes),
                "last_link_id": len(self.links), "nodes": self.nodes, "links": self.links, "groups": [],
                "config": {}, "extra": {"ds": {"scale": 0.6, "offset": [40, 40]}}, "version": 0.4}


def dumps(workflow: dict) -> str:
    return json.dumps(workflow, indent=2, ensure_ascii=False) + "\n"
