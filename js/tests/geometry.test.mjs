// node --test js/tests/  — the editor's geometry: coordinates, hit-testing, moves and resizes.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  centre, clientToLayout, editFor, fitRect, handleAt, hitTest, layoutToClient, moveBox, resizeBox, sideOfCentre,
} from "../lib/geometry.js";

const close = (actual, expected, eps = 1e-9) =>
  assert.ok(Math.abs(actual - expected) <= eps, `${actual} ≠ ${expected}`);

test("a square canvas in a wide element is centred horizontally (contain)", () => {
  const fit = fitRect({ left: 100, top: 50, width: 400, height: 200 }, 512, 512);
  close(fit.scale, 200 / 512);
  close(fit.left, 100 + (400 - 200) / 2);
  close(fit.top, 50);
});

test("client → layout → client is the identity, letterboxing included", () => {
  const rect = { left: 13, top: 7, width: 300, height: 500 };
  for (const [x, y] of [[0, 0], [1024, 768], [512, 100], [-5, 800]]) {
    const c = layoutToClient(x, y, rect, 1024, 768);
    const p = clientToLayout(c.x, c.y, rect, 1024, 768);
    close(p.x, x, 1e-9);
    close(p.y, y, 1e-9);
  }
  // the element's top-left corner is above the canvas when letterboxed vertically
  const p = clientToLayout(13, 7, rect, 1024, 768);
  close(p.x, 0);
  assert.ok(p.y < 0);
  assert.equal(clientToLayout(0, 0, { left: 0, top: 0, width: 0, height: 0 }, 10, 10), null);
});

const objects = [
  { id: "o0", label: "table", bbox: [100, 300, 400, 450], z: 0 },
  { id: "o1", label: "cup", bbox: [150, 320, 180, 360], z: 1 },
  { id: "o2", label: "lamp", bbox: [120, 100, 200, 310], z: 2 },
  { id: "o3", label: "rug", bbox: [0, 280, 512, 512], z: 3 }, // drawn last, over everything
];

test("hit-testing picks the object under the point", () => {
  assert.equal(hitTest(objects, 300, 400).id, "o0"); // the table, inside the rug: the smaller box wins
  assert.equal(hitTest(objects, 160, 340).id, "o1"); // the cup on the table, under the rug
  assert.equal(hitTest(objects, 150, 200).id, "o2");
  assert.equal(hitTest(objects, 50, 500).id, "o3");
  assert.equal(hitTest(objects, 50, 50), null);
  assert.equal(hitTest(objects, 99, 350, 0, null).id, "o3");
  assert.equal(hitTest(objects, 160, 340, 0, new Set(["o1"])).id, "o0"); // hidden objects are skipped
});

test("overlapping boxes neither inside the other: the one drawn later wins", () => {
  const pair = [{ id: "a", bbox: [0, 0, 100, 100], z: 0 }, { id: "b", bbox: [50, 50, 150, 150], z: 1 }];
  assert.equal(hitTest(pair, 75, 75).id, "b");
  assert.equal(hitTest([...pair].reverse(), 75, 75).id, "b");
  assert.equal(hitTest(pair, 75, 75, 0).id, "b");
  assert.equal(hitTest(pair, 101, 20, 2).id, "a"); // within the tolerance
});

test("corner handles are found within the tolerance, nearest first", () => {
  const box = [10, 10, 20, 20];
  assert.equal(handleAt(box, 11, 9, 3), "nw");
  assert.equal(handleAt(box, 21, 12, 3), "ne");
  assert.equal(handleAt(box, 10, 22, 3), "sw");
  assert.equal(handleAt(box, 19, 19, 3), "se");
  assert.equal(handleAt(box, 15, 15, 3), null);
  assert.equal(handleAt(box, 14, 14, 6), "nw"); // all four in reach: the nearest
});

test("a move keeps the box whole and on the canvas", () => {
  assert.deepEqual(moveBox([10, 20, 60, 50], 100, 5, 512, 512), { box: [110, 25, 160, 55], dx: 100, dy: 5 });
  assert.deepEqual(moveBox([10, 20, 60, 50], 1000, -1000, 512, 512), { box: [462, 0, 512, 30], dx: 452, dy: -20 });
  assert.deepEqual(moveBox([0, 0, 512, 100], 30, 0, 512, 512).dx, 0); // as wide as the canvas: no room
});

test("a resize keeps the opposite corner, a minimum size and the canvas", () => {
  const box = [100, 100, 200, 150];
  assert.deepEqual(resizeBox(box, "se", 300, 400, 512, 512), [100, 100, 300, 400]);
  assert.deepEqual(resizeBox(box, "nw", 50, 20, 512, 512), [50, 20, 200, 150]);
  assert.deepEqual(resizeBox(box, "ne", 150, 60, 512, 512), [100, 60, 150, 150]);
  assert.deepEqual(resizeBox(box, "sw", 90, 500, 512, 512), [90, 100, 200, 500]);
  // dragged past the anchor: the minimum size, not a flipped box
  assert.deepEqual(resizeBox(box, "se", 0, 0, 512, 512, 8), [100, 100, 108, 108]);
  // dragged off the canvas: clipped to it
  assert.deepEqual(resizeBox(box, "se", 900, -50, 512, 512), [100, 100, 512, 108]);
  assert.deepEqual(resizeBox(box, "nw", -40, -40, 512, 512), [0, 0, 200, 150]);
});

test("the edit is a move when the size is kept, a resize otherwise, nothing under half a pixel", () => {
  const cat = { id: "o0", label: "cat", bbox: [41, 210, 213, 354] };
  assert.deepEqual(editFor(cat, [341.004, 200, 513.004, 344]),
    { op: "move", object: "o0", label: "cat", dx: 300, dy: -10 });
  assert.deepEqual(editFor(cat, [41, 210, 300, 400]),
    { op: "resize", object: "o0", label: "cat", box: [41, 210, 300, 400] });
  assert.equal(editFor(cat, [41.2, 210.3, 213.2, 354.3]), null);
});

test("which side of the centre line a box is on", () => {
  assert.equal(sideOfCentre([41, 210, 213, 354], 512), "left");
  assert.equal(sideOfCentre([341, 210, 512, 354], 512), "right");
  assert.equal(sideOfCentre([206, 0, 306, 10], 512), "centre");
  assert.deepEqual(centre([0, 0, 10, 20]), [5, 10]);
});
