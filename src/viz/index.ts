/** Drawing nets (Graphviz DOT / SVG) and plotting training curves (SVG), for Node and browsers alike. */
export { netToDot, netToSvg, dotToSvg, opLabel, isGradientOp, isGradientBlob } from './net_drawer.js';
export type { Drawable, NetDrawOptions } from './net_drawer.js';
export { GetPydotGraph, GetPydotGraphMinimal, PydotGraph, type PydotOptions } from './pydot_graph.js';
export { lineChart, chartLayout, niceTicks, niceStep, formatTick, logTicks } from './plot.js';
export type { Series, LineChartOptions, ChartLayout, Ticks } from './plot.js';
export { svgElement } from './svg_element.js';
