// node --test js/tests/  — reading the checker's report into a checklist.
import assert from "node:assert/strict";
import { test } from "node:test";

import { firstText, parseReport, tally } from "../lib/report.js";

const FAILED = `FAILED: 2/3 checks (67%), rule geneval
✓ there is a cat
✓ there is a dog
✗ the cat is left of the dog — it is 36 px to its right and 9 px above it
note: not understood: 'softly'
LayoutGPT rule: 2/3 checks
✗ the cat is left of the dog — it is right of it
conflict: the cat is left of the dog and right of it
edited sketch: 2 object(s) on 512×512, not regenerated (Reset to generated plans it again)`;

test("a report becomes a checklist with marks", () => {
  const items = parseReport(FAILED);
  assert.deepEqual(items[0], { kind: "head", passed: false, done: 2, total: 3, rule: "geneval",
    text: "FAILED: 2/3 checks (67%), rule geneval" });
  assert.deepEqual(items[1], { kind: "pass", text: "there is a cat", detail: "" });
  assert.deepEqual(items[3], { kind: "fail", text: "the cat is left of the dog",
    detail: "it is 36 px to its right and 9 px above it" });
  assert.deepEqual(items[4], { kind: "note", label: "note", text: "not understood: 'softly'" });
  assert.equal(items[5].kind, "info");
  assert.equal(items[7].kind, "note");
  assert.equal(items[7].label, "conflict");
  assert.equal(items[8].kind, "info");
  assert.deepEqual(tally(items), { passed: 2, failed: 2, total: 4, verdict: "fail" });
});

test("a passing report, and text that is no checklist", () => {
  const items = parseReport("PASSED: 1/1 checks (100%), rule layoutgpt\n✓ there is a red car\n");
  assert.equal(items[0].rule, "layoutgpt");
  assert.equal(tally(items).verdict, "pass");
  assert.equal(tally(parseReport("o0: a cat\no1: a dog\no0 left of o1")).verdict, "none");
  assert.deepEqual(parseReport(""), []);
  assert.deepEqual(parseReport(null), []);
  assert.equal(tally(parseReport("✗ only a failure")).verdict, "fail");
});

test("ComfyUI's ui.text output", () => {
  assert.equal(firstText({ text: ["a", "b"] }), "a");
  assert.equal(firstText({ text: "a" }), "a");
  assert.equal(firstText({ text: [] }), null);
  assert.equal(firstText({}), null);
  assert.equal(firstText(undefined), null);
});
