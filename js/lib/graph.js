// Hooks into LiteGraph node classes and lookups in a graph, shared by the pack's front-end features.
// Pure: no import of the ComfyUI app (callers pass the graph), so node --test can run it.

/** Run `after` with the same `this` and arguments after `object[method]` (which may be absent), keeping its result. */
export function chain(object, method, after) {
  const original = object[method];
  object[method] = function (...args) {
    const result = original?.apply(this, args);
    after.apply(this, args);
    return result;
  };
}

/** The node an execution message names: "12", or "5:12" inside a subgraph (the last part is the node's own id). */
export function nodeForLocator(graph, id) {
  if (!graph) return null;
  const key = String(id);
  const local = key.includes(":") ? key.split(":").pop() : key;
  return graph.getNodeById?.(Number.isNaN(Number(local)) ? local : Number(local)) ?? null;
}
