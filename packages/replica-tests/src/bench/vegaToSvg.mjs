// Reads a JSON array of Vega-Lite specs on standard input and writes a JSON array of their
// SVGs. charts.ts runs it as a child process: Vega and Vega-Lite are ES modules with top-level
// await, which neither a CommonJS require() nor Jest's module system can load.
import * as vega from 'vega';
import { compile } from 'vega-lite';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const specs = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const svgs = [];
for (const spec of specs) {
  const view = new vega.View(vega.parse(compile(spec).spec), {
    renderer: 'none',
  });
  try {
    svgs.push(await view.toSVG());
  } finally {
    view.finalize();
  }
}
process.stdout.write(JSON.stringify(svgs));
