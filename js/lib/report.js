// Pure reading of the checker's report text (llm_sketch.check.Report.summary and the planner's summary) into a
// checklist the nodes can show with pass/fail marks. No DOM: js/tests/report.test.mjs imports it.
//
//   FAILED: 2/3 checks (67%), rule geneval        → {kind: "head", passed: false, text}
//   ✓ there is a cat                              → {kind: "pass", text}
//   ✗ the cat is left of the dog — it is 36 px …  → {kind: "fail", text, detail}
//   note: …  / conflict: …                        → {kind: "note", text}
//   anything else                                 → {kind: "info", text}

const HEAD = /^(PASSED|FAILED):\s*(\d+)\/(\d+) checks(?: \((\d+)%\))?(?:, rule (\S+))?/;

export function parseReport(text) {
  const lines = String(text ?? "").split(/\r?\n/);
  const items = [];
  for (const raw of lines) {
    const line = raw.trimEnd();
    if (!line.trim()) continue;
    const head = HEAD.exec(line);
    if (head) {
      items.push({ kind: "head", passed: head[1] === "PASSED", done: Number(head[2]), total: Number(head[3]),
        rule: head[5] || null, text: line });
      continue;
    }
    const mark = line.trimStart()[0];
    if (mark === "✓" || mark === "✗") {
      const body = line.trimStart().slice(1).trim();
      const cut = body.indexOf(" — ");
      items.push({ kind: mark === "✓" ? "pass" : "fail", text: cut >= 0 ? body.slice(0, cut) : body,
        detail: cut >= 0 ? body.slice(cut + 3) : "" });
      continue;
    }
    const note = /^(note|conflict|not understood):\s*(.*)$/i.exec(line.trim());
    if (note) {
      items.push({ kind: "note", label: note[1].toLowerCase(), text: note[2] });
      continue;
    }
    items.push({ kind: "info", text: line.trim() });
  }
  return items;
}

/** {passed, failed, total, verdict} of a parsed report: verdict "pass" when it has a PASSED head (or only ✓
 * items), "fail" when any check failed, else "none" (text that is no checklist). */
export function tally(items) {
  const passed = items.filter((i) => i.kind === "pass").length;
  const failed = items.filter((i) => i.kind === "fail").length;
  const head = items.find((i) => i.kind === "head");
  let verdict = "none";
  if (head) verdict = head.passed && failed === 0 ? "pass" : "fail";
  else if (failed) verdict = "fail";
  else if (passed) verdict = "pass";
  return { passed, failed, total: passed + failed, verdict };
}

/** The first text of a ComfyUI `ui.text` output (a list of strings, or a string). */
export function firstText(output) {
  const text = output?.text;
  if (Array.isArray(text)) return text.length ? String(text[0]) : null;
  return typeof text === "string" ? text : null;
}
