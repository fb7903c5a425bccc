// A strict allow-list re-serializer for the sketch SVG, before the browser draws it.
//
// The server already sanitized the SVG (llm_sketch/svgsafe.py) and the preview draws it as an <img> from a blob
// URL, where SVG can run no script and load nothing; this is the third wall, and it is what decides that the
// preview never hands the browser markup it did not check. It parses the text itself (no DOMParser: node --test
// imports it, js/tests/svg_sanitize.test.mjs), keeps only SVG drawing elements and attributes, references inside
// the document (#id) and embedded PNG/JPEG/GIF/WebP data, and writes the document out again, escaped. Anything
// it cannot read as well-formed XML, DTDs and entity declarations are refused (SvgSanitizeError).

export class SvgSanitizeError extends Error {
  constructor(message) {
    super(message);
    this.name = "SvgSanitizeError";
  }
}

export const LIMITS = { maxBytes: 2_000_000, maxElements: 5_000, maxDepth: 64 };

const SVG_NS = "http://www.w3.org/2000/svg";
const XLINK_NS = "http://www.w3.org/1999/xlink";

export const ELEMENTS = new Set([
  "svg", "g", "defs", "title", "desc", "symbol", "switch", "a",
  "rect", "circle", "ellipse", "line", "polyline", "polygon", "path",
  "text", "tspan", "textPath",
  "linearGradient", "radialGradient", "stop", "pattern", "clipPath", "mask", "marker", "image",
]);

const ATTRIBUTES = new Set([
  // geometry
  "x", "y", "width", "height", "cx", "cy", "r", "rx", "ry", "fx", "fy", "fr", "x1", "y1", "x2", "y2", "dx", "dy",
  "refX", "refY", "markerWidth", "markerHeight", "d", "points", "pathLength", "viewBox", "preserveAspectRatio",
  "transform", "offset",
  // presentation
  "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-opacity", "stroke-linecap",
  "stroke-linejoin", "stroke-miterlimit", "stroke-dasharray", "stroke-dashoffset", "opacity", "color", "display",
  "visibility", "overflow", "clip-path", "clip-rule", "mask", "stop-color", "stop-opacity", "font-family",
  "font-size", "font-weight", "font-style", "font-variant", "font-stretch", "text-anchor", "dominant-baseline",
  "alignment-baseline", "baseline-shift", "letter-spacing", "word-spacing", "text-decoration", "writing-mode",
  "paint-order", "shape-rendering", "text-rendering", "image-rendering", "vector-effect", "marker-start",
  "marker-mid", "marker-end", "transform-origin", "mix-blend-mode", "isolation",
  // structure and paint servers
  "id", "class", "gradientUnits", "gradientTransform", "spreadMethod", "patternUnits", "patternContentUnits",
  "patternTransform", "clipPathUnits", "maskUnits", "maskContentUnits", "markerUnits", "orient", "rotate",
  "textLength", "lengthAdjust", "startOffset", "method", "spacing", "side", "href", "xlink:href", "xml:space",
  "lang", "xml:lang",
]);
const DATA_ATTRIBUTE = /^data-[a-z0-9_.-]{1,40}$/;
const NAME = /^[A-Za-z_][A-Za-z0-9_.:-]*$/;
const RASTER_DATA = /^data:image\/(png|jpeg|jpg|gif|webp)(;[a-z0-9=._-]+)*;base64,[A-Za-z0-9+/=\s]*$/i;
const LOCAL_URL = /^url\(\s*#[A-Za-z_][\w.:-]*\s*\)$/;
const ENTITIES = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

export function decodeEntities(text) {
  return text.replace(/&(?:(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[A-Za-z][A-Za-z0-9]{0,31});)?/g, (match, body) => {
    if (body === undefined) throw new SvgSanitizeError("a bare '&' (write &amp;)");
    if (body[0] === "#") {
      const code = body[1] === "x" || body[1] === "X" ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      if (!(code > 0 && code <= 0x10ffff) || (code >= 0xd800 && code <= 0xdfff)) {
        throw new SvgSanitizeError(`invalid character reference ${match}`);
      }
      return String.fromCodePoint(code);
    }
    if (!(body in ENTITIES)) throw new SvgSanitizeError(`unknown entity ${match}`);
    return ENTITIES[body];
  });
}

export function escapeText(text) {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function escapeAttribute(text) {
  return escapeText(text).replace(/"/g, "&quot;").replace(/\t/g, "&#9;").replace(/\n/g, "&#10;")
    .replace(/\r/g, "&#13;");
}

/** Whether an attribute (name, decoded value) on `element` may stay; false drops it. */
export function attributeAllowed(element, name, value) {
  if (/^on/i.test(name)) return false;
  if (!(ATTRIBUTES.has(name) || DATA_ATTRIBUTE.test(name))) return false;
  if (value.length > 1_000_000) return false;
  const lower = value.toLowerCase();
  if (/javascript:|vbscript:|data:text|<|expression\(/.test(lower.replace(/\s+/g, ""))) {
    if (!(name.endsWith("href") && RASTER_DATA.test(value.trim()))) return false;
  }
  if (name === "href" || name === "xlink:href") {
    const v = value.trim();
    if (element === "image") return RASTER_DATA.test(v);
    return /^#[A-Za-z_][\w.:-]*$/.test(v);
  }
  if (lower.includes("url(")) {
    // every url() must point inside the document
    const urls = value.match(/url\([^)]*\)/gi) || [];
    if (urls.length === 0 || !urls.every((u) => LOCAL_URL.test(u))) return false;
  }
  return true;
}

/**
 * Sanitize SVG markup. Returns {svg, removed}: the rebuilt document and a list of what was left out
 * ("<script>", "onload", …). Options: width / height set the root's size (the preview draws the sketch at the
 * layout's size, "contain", as the server measured it); limits override LIMITS.
 */
export function sanitizeSvg(text, options = {}) {
  const limits = { ...LIMITS, ...(options.limits || {}) };
  if (typeof text !== "string") throw new SvgSanitizeError("the sketch is not text");
  if (text.length > limits.maxBytes) {
    throw new SvgSanitizeError(`the sketch is too large: ${text.length} characters (limit ${limits.maxBytes})`);
  }
  const removed = [];
  const out = [];
  const stack = []; // {name, kept}
  let dropDepth = 0; // > 0 while inside a dropped element
  let elements = 0;
  let rootSeen = false;
  let rootClosed = false;
  let pos = 0;
  const n = text.length;

  const note = (what) => {
    if (!removed.includes(what)) removed.push(what);
  };

  while (pos < n) {
    const lt = text.indexOf("<", pos);
    const chunk = lt < 0 ? text.slice(pos) : text.slice(pos, lt);
    if (chunk) {
      if (stack.length === 0) {
        if (chunk.trim()) throw new SvgSanitizeError("text outside the <svg> element");
      } else if (dropDepth === 0) {
        out.push(escapeText(decodeEntities(chunk)));
      }
    }
    if (lt < 0) break;
    pos = lt;
    if (text.startsWith("<!--", pos)) {
      const end = text.indexOf("-->", pos + 4);
      if (end < 0) throw new SvgSanitizeError("an unclosed comment");
      pos = end + 3;
      continue;
    }
    if (text.startsWith("<![CDATA[", pos)) {
      const end = text.indexOf("]]>", pos + 9);
      if (end < 0) throw new SvgSanitizeError("an unclosed CDATA section");
      if (stack.length === 0) throw new SvgSanitizeError("text outside the <svg> element");
      if (dropDepth === 0) out.push(escapeText(text.slice(pos + 9, end)));
      pos = end + 3;
      continue;
    }
    if (text.startsWith("<!", pos)) {
      throw new SvgSanitizeError("document type declarations and entities are not accepted");
    }
    if (text.startsWith("<?", pos)) {
      const end = text.indexOf("?>", pos + 2);
      if (end < 0) throw new SvgSanitizeError("an unclosed processing instruction");
      pos = end + 2;
      continue;
    }
    if (text.startsWith("</", pos)) {
      const end = text.indexOf(">", pos);
      if (end < 0) throw new SvgSanitizeError("an unclosed end tag");
      const name = text.slice(pos + 2, end).trim();
      const open = stack.pop();
      if (!open || open.name !== name) {
        throw new SvgSanitizeError(`</${name}> does not close <${open ? open.name : "nothing"}>`);
      }
      if (open.kept) out.push(`</${name}>`);
      else dropDepth -= 1;
      if (stack.length === 0) rootClosed = true;
      pos = end + 1;
      continue;
    }
    // a start tag
    const tag = readTag(text, pos);
    pos = tag.end;
    if (rootClosed) throw new SvgSanitizeError("content after the </svg> end tag");
    elements += 1;
    if (elements > limits.maxElements) throw new SvgSanitizeError(`too many elements (limit ${limits.maxElements})`);
    if (stack.length + 1 > limits.maxDepth) throw new SvgSanitizeError(`nested too deep (limit ${limits.maxDepth})`);
    const isRoot = !rootSeen;
    if (isRoot) {
      if (tag.name !== "svg") throw new SvgSanitizeError(`not an SVG: the root element is <${tag.name}>`);
      rootSeen = true;
    }
    const kept = dropDepth === 0 && ELEMENTS.has(tag.name);
    if (dropDepth === 0 && !kept) note(`<${tag.name}>`);
    if (kept) {
      const attrs = [];
      for (const [name, raw] of tag.attributes) {
        const value = decodeEntities(raw);
        if (name === "xmlns" || name.startsWith("xmlns:")) continue; // written by us, on the root only
        if (isRoot && options.width && (name === "width" || name === "height" || name === "preserveAspectRatio")) {
          continue;
        }
        if (attributeAllowed(tag.name, name, value)) attrs.push([name, value]);
        else note(name);
      }
      if (isRoot) {
        attrs.unshift(["xmlns", SVG_NS], ["xmlns:xlink", XLINK_NS]);
        if (options.width && options.height) {
          attrs.push(["width", String(options.width)], ["height", String(options.height)],
            ["preserveAspectRatio", "xMidYMid meet"]);
        }
      }
      const body = attrs.map(([k, v]) => ` ${k}="${escapeAttribute(v)}"`).join("");
      out.push(`<${tag.name}${body}${tag.selfClosing ? "/>" : ">"}`);
    }
    if (!tag.selfClosing) {
      stack.push({ name: tag.name, kept });
      if (!kept) dropDepth += 1;
    } else if (isRoot) {
      rootClosed = true;
    }
  }
  if (!rootSeen) throw new SvgSanitizeError("no <svg> element");
  if (stack.length) throw new SvgSanitizeError(`<${stack[stack.length - 1].name}> is not closed`);
  return { svg: out.join(""), removed };
}

/** Read the start tag at `pos` ("<name attr="v" …>" or "…/>"): {name, attributes: [[name, raw value]], selfClosing,
 * end}. Attribute values must be quoted (XML); a repeated attribute is an error, as in XML. */
export function readTag(text, pos) {
  let i = pos + 1;
  const nameMatch = /^[^\s/>]+/.exec(text.slice(i, i + 200));
  if (!nameMatch || !NAME.test(nameMatch[0])) throw new SvgSanitizeError("a malformed start tag");
  const name = nameMatch[0];
  i += name.length;
  const attributes = [];
  const seen = new Set();
  for (;;) {
    while (i < text.length && /\s/.test(text[i])) i += 1;
    if (i >= text.length) throw new SvgSanitizeError(`<${name}> is not closed with '>'`);
    if (text[i] === ">") return { name, attributes, selfClosing: false, end: i + 1 };
    if (text.startsWith("/>", i)) return { name, attributes, selfClosing: true, end: i + 2 };
    const attrMatch = /^[^\s=/>]+/.exec(text.slice(i, i + 200));
    if (!attrMatch || !NAME.test(attrMatch[0])) throw new SvgSanitizeError(`a malformed attribute in <${name}>`);
    const attr = attrMatch[0];
    i += attr.length;
    while (i < text.length && /\s/.test(text[i])) i += 1;
    if (text[i] !== "=") throw new SvgSanitizeError(`attribute ${attr} of <${name}> has no value`);
    i += 1;
    while (i < text.length && /\s/.test(text[i])) i += 1;
    const quote = text[i];
    if (quote !== '"' && quote !== "'") throw new SvgSanitizeError(`attribute ${attr} of <${name}> is not quoted`);
    const close = text.indexOf(quote, i + 1);
    if (close < 0) throw new SvgSanitizeError(`attribute ${attr} of <${name}> is not closed`);
    const raw = text.slice(i + 1, close);
    if (raw.includes("<")) throw new SvgSanitizeError(`attribute ${attr} of <${name}> contains '<'`);
    if (seen.has(attr)) throw new SvgSanitizeError(`attribute ${attr} repeated in <${name}>`);
    seen.add(attr);
    attributes.push([attr, raw]);
    i = close + 1;
  }
}
