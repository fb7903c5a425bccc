// Pure geometry of the sketch editor: screen ⇄ layout coordinates, hit-testing, moves and resizes.
// No DOM, no ComfyUI: node --test imports this file directly (js/tests/geometry.test.mjs).
//
// A box is [x0, y0, x1, y1] in the layout's output pixels (the sketch node's width × height), as the engine's
// Layout writes it. An object is {id, label, bbox, z}.

/** Where a width × height canvas lies inside an element's client rect when drawn "contain" (SVG's xMidYMid meet,
 * CSS object-fit: contain): {left, top, scale} in client pixels. */
export function fitRect(rect, width, height) {
  const scale = Math.min(rect.width / width, rect.height / height);
  return {
    left: rect.left + (rect.width - width * scale) / 2,
    top: rect.top + (rect.height - height * scale) / 2,
    scale,
  };
}

/** A client (screen) point → layout coordinates, for an element whose client rect is `rect`. */
export function clientToLayout(clientX, clientY, rect, width, height) {
  const fit = fitRect(rect, width, height);
  if (!(fit.scale > 0)) return null;
  return { x: (clientX - fit.left) / fit.scale, y: (clientY - fit.top) / fit.scale };
}

/** A layout point → client coordinates (the inverse of clientToLayout). */
export function layoutToClient(x, y, rect, width, height) {
  const fit = fitRect(rect, width, height);
  return { x: fit.left + x * fit.scale, y: fit.top + y * fit.scale };
}

export function contains(box, x, y, tolerance = 0) {
  return x >= box[0] - tolerance && x <= box[2] + tolerance && y >= box[1] - tolerance && y <= box[3] + tolerance;
}

export function area(box) {
  return Math.max(0, box[2] - box[0]) * Math.max(0, box[3] - box[1]);
}

export function centre(box) {
  return [(box[0] + box[2]) / 2, (box[1] + box[3]) / 2];
}

/** The object under (x, y): the one drawn last (highest z) among those whose box holds the point; where objects
 * are drawn in the same place, the smaller box wins so that a small object on a large one can still be picked.
 * `hidden` is a set of object ids to skip. Returns the object or null. */
export function hitTest(objects, x, y, tolerance = 0, hidden = null) {
  let best = null;
  for (const object of objects) {
    if (hidden && hidden.has(object.id)) continue;
    if (!contains(object.bbox, x, y, tolerance)) continue;
    if (best === null) {
      best = object;
      continue;
    }
    const inside = containsBox(best.bbox, object.bbox);
    const around = containsBox(object.bbox, best.bbox);
    if (inside && !around) best = object; // a smaller box inside the current pick
    else if (around && !inside) continue; // a larger box around it
    else if ((object.z ?? 0) > (best.z ?? 0)) best = object;
  }
  return best;
}

function containsBox(outer, inner) {
  return inner[0] >= outer[0] && inner[1] >= outer[1] && inner[2] <= outer[2] && inner[3] <= outer[3];
}

export const CORNERS = ["nw", "ne", "sw", "se"];

/** The corner handle of `box` within `tolerance` of (x, y): "nw", "ne", "sw", "se" or null (nearest wins). */
export function handleAt(box, x, y, tolerance) {
  let best = null;
  let bestDistance = Infinity;
  for (const corner of CORNERS) {
    const [cx, cy] = cornerPoint(box, corner);
    const distance = Math.max(Math.abs(x - cx), Math.abs(y - cy));
    if (distance <= tolerance && distance < bestDistance) {
      best = corner;
      bestDistance = distance;
    }
  }
  return best;
}

export function cornerPoint(box, corner) {
  return [corner.endsWith("w") ? box[0] : box[2], corner.startsWith("n") ? box[1] : box[3]];
}

/** `box` moved by (dx, dy) and kept on the width × height canvas (layout boxes are clipped to it; a box as large
 * as the canvas cannot move along that axis). Returns {box, dx, dy} with the offset actually applied. */
export function moveBox(box, dx, dy, width, height) {
  const w = box[2] - box[0];
  const h = box[3] - box[1];
  const x0 = clamp(box[0] + dx, 0, Math.max(0, width - w));
  const y0 = clamp(box[1] + dy, 0, Math.max(0, height - h));
  return { box: [x0, y0, x0 + w, y0 + h], dx: x0 - box[0], dy: y0 - box[1] };
}

/** `box` with `corner` dragged to (x, y): the opposite corner stays put, and the box stays on the width × height
 * canvas and at least `minSide` pixels wide and high (less only where the canvas leaves no room). */
export function resizeBox(box, corner, x, y, width, height, minSide = 8) {
  const west = corner.endsWith("w");
  const north = corner.startsWith("n");
  const ax = west ? box[2] : box[0]; // the anchor: the opposite corner
  const ay = north ? box[3] : box[1];
  const roomX = west ? ax : width - ax; // how far the moving corner may go from the anchor
  const roomY = north ? ay : height - ay;
  const w = Math.min(Math.max(minSide, west ? ax - x : x - ax), Math.max(roomX, 0));
  const h = Math.min(Math.max(minSide, north ? ay - y : y - ay), Math.max(roomY, 0));
  const x0 = west ? ax - w : ax;
  const y0 = north ? ay - h : ay;
  return [x0, y0, x0 + w, y0 + h];
}

export function clamp(value, low, high) {
  return Math.min(Math.max(value, low), high);
}

/** Round a box or offset to 1/100 px, as the edit is sent to the server. */
export function round2(value) {
  return Math.round(value * 100) / 100;
}

/** The edit (the JSON the server's /llm_sketch/edit takes) that turns `object`'s box into `box`: a move when
 * the size is unchanged, else a resize; null when nothing changed (under half a pixel). */
export function editFor(object, box) {
  const old = object.bbox;
  const same = (a, b) => Math.abs(a - b) < 0.5;
  if ([0, 1, 2, 3].every((i) => same(old[i], box[i]))) return null;
  const base = { object: object.id, label: object.label };
  const sameSize = same(old[2] - old[0], box[2] - box[0]) && same(old[3] - old[1], box[3] - box[1]);
  if (sameSize) return { op: "move", ...base, dx: round2(box[0] - old[0]), dy: round2(box[1] - old[1]) };
  return { op: "resize", ...base, box: box.map(round2) };
}

/** Which side of the canvas's vertical centre line a box's centre is on: "left", "right" or "centre". */
export function sideOfCentre(box, width) {
  const cx = centre(box)[0];
  if (Math.abs(cx - width / 2) < 0.5) return "centre";
  return cx < width / 2 ? "left" : "right";
}
