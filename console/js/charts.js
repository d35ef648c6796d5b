// Small SVG charts drawn with the DOM: no library, nothing inline that the console's CSP would refuse.
const SVG = "http://www.w3.org/2000/svg";

function svg(tag, attrs = {}, text) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

function frame(width, height, title) {
  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "chart", role: "img" });
  root.append(svg("title", {}, title));
  return root;
}

// Horizontal bars, one per item: [{label, value}], value >= 0.
export function barChart(items, { title, format = String } = {}) {
  const rowHeight = 22;
  const width = 420;
  const labelWidth = 150;
  const root = frame(width, Math.max(items.length, 1) * rowHeight + 4, title);
  const max = Math.max(...items.map((item) => item.value), 0) || 1;
  items.forEach((item, index) => {
    const y = index * rowHeight + 2;
    const length = ((width - labelWidth - 70) * item.value) / max;
    root.append(
      svg("text", { x: 0, y: y + 14 }, item.label),
      svg("rect", { class: "bar", x: labelWidth, y: y + 3, width: Math.max(length, 1), height: rowHeight - 8, rx: 2 }),
      svg("text", { x: labelWidth + length + 6, y: y + 14 }, format(item.value)),
    );
  });
  return root;
}

// A line over the values seen so far (the dashboard's live history): [{label, value}].
export function lineChart(points, { title, format = String } = {}) {
  const width = 220;
  const height = 60;
  const root = frame(width, height, title);
  if (points.length === 0) return root;
  const values = points.map((point) => point.value);
  const low = Math.min(...values);
  const high = Math.max(...values);
  const span = high - low || 1;
  const step = points.length > 1 ? width / (points.length - 1) : 0;
  const coordinates = points.map((point, index) => [index * step, height - 8 - ((point.value - low) / span) * (height - 20)]);
  const path = coordinates.map(([x, y], index) => `${index ? "L" : "M"}${x.toFixed(1)},${y.toFixed(1)}`).join(" ");
  root.append(
    svg("path", { class: "area", d: `${path} L${coordinates.at(-1)[0].toFixed(1)},${height} L0,${height} Z` }),
    svg("path", { class: "line", d: points.length > 1 ? path : `M0,${coordinates[0][1]} H${width}` }),
    svg("text", { x: width - 2, y: 10, "text-anchor": "end" }, format(high)),
  );
  return root;
}

// A ring for a rate between 0 and 1.
export function ringChart(rate, { title, format = String } = {}) {
  const size = 120;
  const radius = 46;
  const root = frame(size, size, title);
  const circumference = 2 * Math.PI * radius;
  const share = Math.min(Math.max(rate, 0), 1);
  root.append(
    svg("circle", { class: "track", cx: size / 2, cy: size / 2, r: radius }),
    svg("circle", {
      class: "arc",
      cx: size / 2,
      cy: size / 2,
      r: radius,
      "stroke-dasharray": `${(share * circumference).toFixed(2)} ${circumference.toFixed(2)}`,
      transform: `rotate(-90 ${size / 2} ${size / 2})`,
    }),
    svg("text", { class: "big", x: size / 2, y: size / 2 + 6, "text-anchor": "middle" }, format(rate)),
  );
  return root;
}
