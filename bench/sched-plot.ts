/*
 * Tiny SVG charts for bench/sched.ts: grouped bars and line charts (with optional
 * logarithmic x axis). Plain strings, no dependencies.
 */

const W = 640, H = 400, L = 70, R = 170, T = 40, B = 60;
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function fmt(x: number): string {
  if (Number.isInteger(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 1000) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1).replace(/\.0$/, '');
  return x.toPrecision(2);
}

function niceMax(x: number): number {
  if (!(x > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= x) return m * p;
  return 10 * p;
}

function frame(title: string, xLabel: string, yLabel: string, body: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">
<rect width="${W}" height="${H}" fill="white"/>
<text x="${(L + W - R) / 2}" y="22" text-anchor="middle" font-size="14" font-weight="bold">${esc(title)}</text>
<text x="${(L + W - R) / 2}" y="${H - 15}" text-anchor="middle">${esc(xLabel)}</text>
<text x="18" y="${(T + H - B) / 2}" text-anchor="middle" transform="rotate(-90 18 ${(T + H - B) / 2})">${esc(yLabel)}</text>
${body}
</svg>
`;
}

function yAxis(yMax: number, y: (v: number) => number): string {
  let s = `<line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="black"/>\n`;
  for (let i = 0; i <= 5; i++) {
    const v = yMax * i / 5, yy = y(v);
    s += `<line x1="${L - 4}" y1="${yy}" x2="${W - R}" y2="${yy}" stroke="#ddd"/>` +
      `<text x="${L - 6}" y="${yy + 4}" text-anchor="end">${fmt(v)}</text>\n`;
  }
  return s;
}

function legend(names: string[]): string {
  return names.map((n, i) => `<rect x="${W - R + 12}" y="${T + 8 + i * 18}" width="12" height="12" fill="${COLOURS[i % COLOURS.length]}"/>` +
    `<text x="${W - R + 30}" y="${T + 18 + i * 18}">${esc(n)}</text>`).join('\n');
}

export interface BarChart {
  title: string;
  xLabel: string;
  yLabel: string;
  groups: string[];
  series: { name: string; values: number[] }[];
  /** Horizontal reference lines (e.g. the expected share). */
  refs?: number[];
}

export function barChart(c: BarChart): string {
  const yMax = niceMax(Math.max(...c.series.flatMap((s) => s.values), ...(c.refs ?? [])) * 1.05);
  const y = (v: number) => H - B - (v / yMax) * (H - B - T);
  const gw = (W - L - R) / c.groups.length, bw = (gw * 0.8) / c.series.length;
  let body = yAxis(yMax, y) + `<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="black"/>\n`;
  c.groups.forEach((g, gi) => {
    const x0 = L + gi * gw + gw * 0.1;
    c.series.forEach((s, si) => {
      const v = s.values[gi] ?? 0;
      body += `<rect x="${x0 + si * bw}" y="${y(v)}" width="${bw - 1}" height="${H - B - y(v)}" fill="${COLOURS[si % COLOURS.length]}"><title>${esc(`${s.name} ${g}: ${fmt(v)}`)}</title></rect>\n`;
    });
    body += `<text x="${L + gi * gw + gw / 2}" y="${H - B + 16}" text-anchor="middle">${esc(g)}</text>\n`;
  });
  for (const r of c.refs ?? []) body += `<line x1="${L}" y1="${y(r)}" x2="${W - R}" y2="${y(r)}" stroke="black" stroke-dasharray="4 3"/>\n`;
  return frame(c.title, c.xLabel, c.yLabel, body + legend(c.series.map((s) => s.name)));
}

export interface LineChart {
  title: string;
  xLabel: string;
  yLabel: string;
  series: { name: string; points: [number, number][]; dashed?: boolean }[];
  logX?: boolean;
  yMin?: number;
  yMax?: number;
}

export function lineChart(c: LineChart): string {
  const xs = c.series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = c.series.flatMap((s) => s.points.map((p) => p[1]));
  const tx = (v: number) => (c.logX === true ? Math.log2(Math.max(v, 1e-9)) : v);
  const xMin = Math.min(...xs.map(tx)), xMax = Math.max(...xs.map(tx));
  const yMin = c.yMin ?? 0, yMax = c.yMax ?? niceMax(Math.max(...ys) * 1.05);
  const x = (v: number) => L + ((tx(v) - xMin) / (xMax - xMin || 1)) * (W - L - R);
  const y = (v: number) => H - B - ((v - yMin) / (yMax - yMin)) * (H - B - T);
  let body = `<line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="black"/>\n`;
  for (let i = 0; i <= 5; i++) {
    const v = yMin + (yMax - yMin) * i / 5, yy = y(v);
    body += `<line x1="${L - 4}" y1="${yy}" x2="${W - R}" y2="${yy}" stroke="#ddd"/><text x="${L - 6}" y="${yy + 4}" text-anchor="end">${fmt(v)}</text>\n`;
  }
  body += `<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="black"/>\n`;
  const ticks = [...new Set(xs)].sort((a, b) => a - b);
  const shown = ticks.length <= 12 ? ticks : ticks.filter((_, i) => i % Math.ceil(ticks.length / 8) === 0);
  for (const t of shown) body += `<text x="${x(t)}" y="${H - B + 16}" text-anchor="middle">${fmt(t)}</text>\n`;
  c.series.forEach((s, i) => {
    const col = COLOURS[i % COLOURS.length];
    const pts = s.points.map((p) => `${x(p[0]).toFixed(1)},${y(Math.min(Math.max(p[1], yMin), yMax)).toFixed(1)}`).join(' ');
    body += `<polyline fill="none" stroke="${col}" stroke-width="2"${s.dashed === true ? ' stroke-dasharray="6 4"' : ''} points="${pts}"/>\n`;
    if (s.points.length <= 16) for (const p of s.points) body += `<circle cx="${x(p[0]).toFixed(1)}" cy="${y(Math.min(Math.max(p[1], yMin), yMax)).toFixed(1)}" r="3" fill="${col}"/>\n`;
  });
  return frame(c.title, c.xLabel, c.yLabel, body + legend(c.series.map((s) => s.name)));
}
