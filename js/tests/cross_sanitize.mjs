// Reads a JSON list of SVG texts on stdin, writes [{svg, removed, error}] from lib/svg_sanitize.js on stdout.
// tests/test_browser.py feeds it what the Python sanitizer (llm_sketch/svgsafe.py) outputs for the hostile corpus,
// the layout cases and planner sketches: the browser must draw all of it unchanged.
import { sanitizeSvg } from "../lib/svg_sanitize.js";

let input = "";
process.stdin.setEncoding("utf8");
for await (const chunk of process.stdin) input += chunk;
const results = JSON.parse(input).map((text) => {
  try {
    return sanitizeSvg(text);
  } catch (error) {
    return { error: error.message };
  }
});
process.stdout.write(JSON.stringify(results));
