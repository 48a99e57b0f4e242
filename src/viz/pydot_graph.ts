/**
 * Caffe2's net_drawer entry points with their Python signatures, so `net_drawer.GetPydotGraph(
 * train_net.Proto().op, "train", rankdir="LR")` ports as `GetPydotGraph(train.Proto().op, 'train',
 * 'LR')` (or `{ rankdir: 'LR' }`). They return a small stand-in for pydot.Dot: its text is the DOT,
 * and it renders to SVG with Graphviz.
 */
import { netToDot, netToSvg, type Drawable, type NetDrawOptions } from './net_drawer.js';

type Rankdir = NonNullable<NetDrawOptions['rankdir']>;

/** Keyword arguments of GetPydotGraph / GetPydotGraphMinimal, for calls that skip `name`. */
export interface PydotOptions {
  name?: string;
  rankdir?: Rankdir;
  /** GetPydotGraphMinimal only: drop edges implied by others. */
  minimal_dependency?: boolean;
}

/** What GetPydotGraph returns: the graph as DOT (`to_string()`) that renders to SVG (`create_svg()`). */
export class PydotGraph {
  constructor(
    private readonly net: Drawable,
    private readonly options: NetDrawOptions,
  ) {}

  /** The graph's name (pydot's get_name). */
  get_name(): string {
    return /^digraph "((?:[^"\\]|\\.)*)"/.exec(this.to_string())![1]!;
  }

  /** The DOT text (pydot's to_string). */
  to_string(): string {
    return netToDot(this.net, this.options);
  }

  toString(): string {
    return this.to_string();
  }

  /** The graph laid out by Graphviz as an SVG document (pydot's create_svg). */
  create_svg(): Promise<string> {
    return netToSvg(this.net, this.options);
  }

  /** pydot's create_png: there is no rasteriser here, so this says what to use instead. */
  create_png(): never {
    throw new TypeError('create_png: PNG output needs a rasteriser this package does not ship; use await graph.create_svg() (an SVG document) instead');
  }
}

function drawOptions(where: string, nameOrOptions: string | PydotOptions | null | undefined, rankdir: Rankdir | PydotOptions | undefined): PydotOptions {
  const fromName: PydotOptions = typeof nameOrOptions === 'string' ? { name: nameOrOptions } : (nameOrOptions ?? {});
  const fromRankdir: PydotOptions = typeof rankdir === 'string' ? { rankdir } : (rankdir ?? {});
  for (const o of [fromName, fromRankdir]) {
    if (typeof o !== 'object') throw new TypeError(`${where}: expected (net, name?, rankdir?) with strings or an options object, got ${typeof o}`);
  }
  return { ...fromName, ...fromRankdir };
}

/**
 * Caffe2's net_drawer.GetPydotGraph(operators_or_net, name=None, rankdir='LR'): blobs as octagons,
 * ops as boxes, blob → op → blob edges. `name` defaults to the net's name, else "unnamed".
 */
export function GetPydotGraph(net: Drawable, name?: string | PydotOptions | null, rankdir?: Rankdir | PydotOptions): PydotGraph {
  const o = drawOptions('GetPydotGraph', name, rankdir);
  return new PydotGraph(net, { ...(o.name !== undefined ? { name: o.name } : {}), rankdir: o.rankdir ?? 'LR' });
}

/**
 * Caffe2's net_drawer.GetPydotGraphMinimal(operators_or_net, name=None, rankdir='LR',
 * minimal_dependency=False): op nodes only, an edge from the op that last wrote an input to its reader.
 */
export function GetPydotGraphMinimal(
  net: Drawable,
  name?: string | PydotOptions | null,
  rankdir?: Rankdir | PydotOptions,
  minimal_dependency = false,
): PydotGraph {
  const o = drawOptions('GetPydotGraphMinimal', name, rankdir);
  return new PydotGraph(net, {
    ...(o.name !== undefined ? { name: o.name } : {}),
    rankdir: o.rankdir ?? 'LR',
    minimal: (o.minimal_dependency ?? minimal_dependency) ? 'dependency' : true,
  });
}
