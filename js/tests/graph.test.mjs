import assert from "node:assert/strict";
import { test } from "node:test";

import { chain, nodeForLocator } from "../lib/graph.js";

test("chain runs the hook after the original, with its this and arguments, and keeps the result", () => {
  const calls = [];
  const proto = { onExecuted(x) { calls.push(["original", this.name, x]); return 7; } };
  chain(proto, "onExecuted", function (x) { calls.push(["hook", this.name, x]); });
  chain(proto, "onRemoved", function () { calls.push(["only hook", this.name]); });
  const node = Object.assign(Object.create(proto), { name: "n" });
  assert.equal(node.onExecuted(3), 7);
  assert.equal(node.onRemoved(), undefined);
  assert.deepEqual(calls, [["original", "n", 3], ["hook", "n", 3], ["only hook", "n"]]);
});

test("nodeForLocator finds a node by its id, also inside a subgraph, and nothing without a graph", () => {
  const nodes = { 12: "node 12", abc: "node abc" };
  const graph = { getNodeById: (id) => nodes[id] ?? null };
  assert.equal(nodeForLocator(graph, 12), "node 12");
  assert.equal(nodeForLocator(graph, "5:12"), "node 12");
  assert.equal(nodeForLocator(graph, "abc"), "node abc");
  assert.equal(nodeForLocator(graph, "99"), null);
  assert.equal(nodeForLocator(null, "12"), null);
});
