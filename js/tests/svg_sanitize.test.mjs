// node --test js/tests/  — the preview's SVG sanitizer: what the browser is allowed to draw.
import assert from "node:assert/strict";
import { test } from "node:test";

import { attributeAllowed, decodeEntities, sanitizeSvg, SvgSanitizeError } from "../lib/svg_sanitize.js";

const SKETCH = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="512" ' +
  'height="512" viewBox="0 0 512 512" preserveAspectRatio="xMidYMid meet"><rect x="0" y="0" width="512" ' +
  'height="512" fill="#ffffff"/><g data-label="cat" data-shape="form" transform="matrix(1 0 0 1 300 -10)">' +
  '<ellipse cx="122.29" cy="270.04" rx="64.05" ry="29.89" fill="#fb8c00" stroke="#7e4600"/></g></svg>';

test("a sanitized sketch from the server comes through unchanged in substance", () => {
  const { svg, removed } = sanitizeSvg(SKETCH);
  assert.deepEqual(removed, []);
  assert.equal(svg, SKETCH);
  assert.equal(sanitizeSvg(svg).svg, svg); // idempotent
});

test("the root gets the layout's size when asked", () => {
  const { svg } = sanitizeSvg(SKETCH, { width: 1024, height: 768 });
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" xmlns:xlink="[^"]+" viewBox="0 0 512 512" /);
  assert.match(svg, /width="1024" height="768" preserveAspectRatio="xMidYMid meet">/);
  assert.equal((svg.match(/ width="512"/g) || []).length, 1); // the background rect's, not the root's
});

const HOSTILE = [
  ['<svg><script>alert(1)</script><rect width="1" height="1"/></svg>', "<script>"],
  ['<svg onload="alert(1)"><rect width="1" height="1"/></svg>', "onload"],
  ['<svg><rect width="1" height="1" ONCLICK="alert(1)"/></svg>', "ONCLICK"],
  ['<svg><foreignObject><body xmlns="http://www.w3.org/1999/xhtml"><script>x()</script></body></foreignObject>' +
    '</svg>', "<foreignObject>"],
  ['<svg><a href="javascript:alert(1)"><rect width="1" height="1"/></a></svg>', "href"],
  ['<svg><a xlink:href="javascript&#58;alert(1)"><rect width="1" height="1"/></a></svg>', "xlink:href"],
  ['<svg><image href="http://evil.example/x.png" width="1" height="1"/></svg>', "href"],
  ['<svg><image href="file:///etc/passwd" width="1" height="1"/></svg>', "href"],
  ['<svg><image href="data:image/svg+xml;base64,PHN2Zz4=" width="1" height="1"/></svg>', "href"],
  ['<svg><rect fill="url(http://evil.example/#p)" width="1" height="1"/></svg>', "fill"],
  ['<svg><rect style="fill:url(http://evil.example/x)" width="1" height="1"/></svg>', "style"],
  ['<svg><style>@import url(http://evil.example/x.css);</style></svg>', "<style>"],
  ['<svg><use href="#a"/></svg>', "<use>"],
  ['<svg><animate attributeName="href" to="javascript:alert(1)"/></svg>', "<animate>"],
  ['<svg><set attributeName="onmouseover" to="alert(1)"/></svg>', "<set>"],
  ['<svg><iframe src="http://evil.example"/></svg>', "<iframe>"],
  ['<svg><svg:script xmlns:svg="http://www.w3.org/2000/svg">alert(1)</svg:script></svg>', "<svg:script>"],
  ['<svg><rect width="1" height="1" filter="url(#f)"/></svg>', "filter"],
  ['<svg><text data-label="x" x="1" y="1">&lt;script&gt;alert(1)&lt;/script&gt;</text></svg>', null],
];

for (const [input, what] of HOSTILE) {
  test(`hostile: ${input.slice(0, 70)}`, () => {
    const { svg, removed } = sanitizeSvg(input);
    if (what) assert.ok(removed.includes(what), `${what} not in ${JSON.stringify(removed)}`);
    assert.doesNotMatch(svg, /<script|javascript|onload|onclick|onmouse|evil\.example|file:|<style|<iframe|<use|<set|<animate/i);
    assert.doesNotMatch(svg, /<(?!\/?(svg|g|rect|text|a|image)[\s>/])/); // only known tags are written
    assert.equal(sanitizeSvg(svg).svg, svg);
  });
}

test("text is written escaped, never as markup", () => {
  const { svg } = sanitizeSvg('<svg><text x="1" y="1">&lt;script&gt;a &amp; b<![CDATA[ <b>c</b> ]]></text></svg>');
  assert.ok(svg.endsWith('<text x="1" y="1">&lt;script&gt;a &amp; b &lt;b&gt;c&lt;/b&gt; </text></svg>'), svg);
});

test("embedded raster images and references inside the document stay", () => {
  const input = '<svg><defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient>' +
    '<clipPath id="c"><rect width="5" height="5"/></clipPath></defs><rect fill="url(#g)" clip-path="url(#c)" ' +
    'width="9" height="9"/><image href="data:image/png;base64,iVBORw0KGgo=" width="2" height="2"/></svg>';
  const { svg, removed } = sanitizeSvg(input);
  assert.deepEqual(removed, []);
  assert.match(svg, /fill="url\(#g\)" clip-path="url\(#c\)"/);
  assert.match(svg, /href="data:image\/png;base64,iVBORw0KGgo="/);
});

const REFUSED = [
  ['<!DOCTYPE svg [<!ENTITY x "y">]><svg>&x;</svg>', /document type/],
  ["<svg>&x;</svg>", /unknown entity/],
  ["<svg><rect></svg>", /does not close/],
  ["<svg><rect width=1/></svg>", /not quoted/],
  ['<svg><rect width="1" width="2"/></svg>', /repeated/],
  ['<svg><rect width="1"', /not closed/],
  ["<html><svg/></html>", /root element is <html>/],
  ["<svg/><svg/>", /after the <\/svg>/],
  ["hello <svg/>", /outside/],
  ["<svg>a & b</svg>", /bare '&'/],
  ["<svg><g>", /not closed/],
  ["", /no <svg>/],
  ["<svg>&#0;</svg>", /invalid character reference/],
];

for (const [input, message] of REFUSED) {
  test(`refused: ${JSON.stringify(input).slice(0, 60)}`, () => {
    assert.throws(() => sanitizeSvg(input), (error) => error instanceof SvgSanitizeError && message.test(error.message));
  });
}

test("limits: size, element count and depth", () => {
  assert.throws(() => sanitizeSvg("<svg>" + " ".repeat(2_000_001) + "</svg>"), /too large/);
  assert.throws(() => sanitizeSvg("<svg>" + "<g/>".repeat(20) + "</svg>", { limits: { maxElements: 10 } }),
    /too many elements/);
  assert.throws(() => sanitizeSvg("<svg>" + "<g>".repeat(70) + "</g>".repeat(70) + "</svg>"), /too deep/);
  assert.throws(() => sanitizeSvg(42), /not text/);
});

test("attribute rules", () => {
  assert.equal(attributeAllowed("rect", "fill", "#ff0000"), true);
  assert.equal(attributeAllowed("rect", "data-label", "a cat"), true);
  assert.equal(attributeAllowed("rect", "data-Label", "a cat"), false);
  assert.equal(attributeAllowed("rect", "onfocus", "x"), false);
  assert.equal(attributeAllowed("rect", "fill", "url(#a) url(#b)"), true);
  assert.equal(attributeAllowed("rect", "fill", "url(#a) url(x.svg#b)"), false);
  assert.equal(attributeAllowed("a", "href", "#top"), true);
  assert.equal(attributeAllowed("image", "href", "#top"), false);
  assert.equal(attributeAllowed("text", "data-label", "javascript: a note"), false);
  assert.equal(decodeEntities("a &amp; &#x3C; &#60; &quot;"), 'a & < < "');
});
