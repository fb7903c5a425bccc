// Which console errors of the ComfyUI page are the frontend's own, not this pack's. Pure (no playwright):
// js/tests/console_rules.test.mjs checks that nothing of the pack, and nothing unknown, is ever excused.

export const PACK_FOLDER = process.env.LLM_SKETCH_PACK_FOLDER || "ComfyUI-LLM-Sketch-test";

// Console errors the ComfyUI frontend 1.32.9 itself prints here, with no custom node loaded at all (checked against
// a bare ComfyUI 0.3.75 started with --disable-all-custom-nodes; bench/results/browser-notes.md). They are allowed
// only as they are; any other console error, and any that names this pack's files, fails the test.
export const FRONTEND_NOISE = [
  {
    why: "a fresh user folder has no user.css, saved workflows, subgraphs or templates yet: ComfyUI answers 404",
    phases: ["startup", "workflows", "editing"],
    test: (m) => /Failed to load resource: the server responded with a status of 404/.test(m.text)
      && /\/(api\/)?userdata[/?]|\/user\.css$|\/favicon\.ico$/.test(m.url),
  },
  {
    why: "frontend 1.32.9 stores a render-mode setting before that setting is registered, once at start-up",
    phases: ["startup"],
    test: (m) => m.text.startsWith("TypeError: Cannot read properties of undefined (reading 'id')")
      && m.text.includes("at onChange") && m.text.includes("GraphView-"),
  },
  {
    why: "the frontend asks the Comfy Registry (api.comfy.org) which pack a loaded or added node comes from; "
      + "the page's Content-Security-Policy (connect-src 'self') blocks the request",
    phases: ["startup", "workflows", "editing", "upload"],
    test: (m) => /violates the following Content Security Policy directive/.test(m.text)
      && m.text.includes("https://api.comfy.org/"),
  },
];

/** The known-noise rule that excuses a console entry {phase, kind, text, url}, or null: the entry is a problem.
 * Uncaught page errors and anything naming the pack's extension files are never excused. */
export function excuse(entry, packFolder = PACK_FOLDER) {
  if (entry.kind === "pageerror") return null;
  if (`${entry.text} ${entry.url}`.includes(`/extensions/${packFolder}/`)) return null;
  return FRONTEND_NOISE.find((rule) => rule.phases.includes(entry.phase) && rule.test(entry)) ?? null;
}
