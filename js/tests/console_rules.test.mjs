// node --test js/tests/  — the browser test's console rules excuse only the frontend's own, known noise.
import assert from "node:assert/strict";
import { test } from "node:test";

import { excuse } from "../../tests/browser/console_rules.mjs";

const PACK = "ComfyUI-LLM-Sketch-test";
const NOT_FOUND = "Failed to load resource: the server responded with a status of 404 (Not Found)";
const SETTING_BUG = "TypeError: Cannot read properties of undefined (reading 'id')\n    at onChange (http://h/assets/index-x.js:1:2)\n    at load (http://h/assets/GraphView-DVNkY3oT.js:8:1)";
const CSP = "Connecting to 'https://api.comfy.org/nodes?node_id=comfy-core' violates the following Content Security Policy directive: \"connect-src 'self'\". The action has been blocked.";

test("the frontend's known noise is excused, in its phases only", () => {
  assert.ok(excuse({ phase: "startup", kind: "console", text: NOT_FOUND, url: "http://h/api/userdata/user.css" }, PACK));
  assert.ok(excuse({ phase: "workflows", kind: "console", text: NOT_FOUND,
    url: "http://h/api/userdata?dir=workflows&recurse=true" }, PACK));
  assert.ok(excuse({ phase: "startup", kind: "console", text: SETTING_BUG, url: "" }, PACK));
  assert.equal(excuse({ phase: "editing", kind: "console", text: SETTING_BUG, url: "" }, PACK), null);
  assert.ok(excuse({ phase: "editing", kind: "console", text: CSP, url: "" }, PACK));
});

test("anything of the pack, any page error and any unknown error is a problem", () => {
  const cases = [
    { phase: "editing", kind: "console", text: NOT_FOUND, url: "http://h/api/llm_sketch/edit" },
    { phase: "startup", kind: "console", text: NOT_FOUND, url: `http://h/extensions/${PACK}/sketch_preview.js` },
    { phase: "startup", kind: "console", text: `${SETTING_BUG}\n    at x (http://h/extensions/${PACK}/lib/dom.js:1:1)`,
      url: "" },
    { phase: "startup", kind: "pageerror", text: SETTING_BUG, url: "" },
    { phase: "editing", kind: "console", text: "Error: something else", url: "" },
    { phase: "editing", kind: "console", text: CSP.replace("api.comfy.org", "evil.example"), url: "" },
  ];
  for (const entry of cases) assert.equal(excuse(entry, PACK), null, JSON.stringify(entry));
});
