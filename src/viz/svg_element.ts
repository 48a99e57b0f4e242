/** Browser-only helper: turns the SVG text the drawers produce into an element ready to insert. */

/** Parses SVG text (a Graphviz document or a `lineChart`) into an SVGSVGElement owned by `doc`. */
export function svgElement(svg: string, doc: Document = document): SVGSVGElement {
  const parsed = new DOMParser().parseFromString(svg, 'image/svg+xml');
  const error = parsed.querySelector('parsererror');
  if (error || parsed.documentElement.localName !== 'svg') {
    throw new Error(`svgElement: not a well-formed SVG document${error ? `: ${error.textContent ?? ''}` : ''}`);
  }
  return doc.importNode(parsed.documentElement, true) as unknown as SVGSVGElement;
}
