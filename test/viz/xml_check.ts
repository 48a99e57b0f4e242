/**
 * A strict little XML reader for tests (Node has no DOMParser and we add no packages): it throws on
 * unbalanced tags, bad attributes, stray '<' or '&', or more than one root, and returns the tree.
 */

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Decoded character data directly inside this element. */
  text: string;
}

const ENTITY = /^&(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/;
const NAME = /^[A-Za-z_:][-A-Za-z0-9_:.]*/;

function decode(raw: string, where: number): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === '<') throw new Error(`XML: '<' in character data near offset ${where + i}`);
    if (raw[i] !== '&') {
      out += raw[i];
      continue;
    }
    const m = ENTITY.exec(raw.slice(i));
    if (!m) throw new Error(`XML: bad entity near offset ${where + i}: ${raw.slice(i, i + 12)}`);
    const e = m[1]!;
    out += e.startsWith('#x')
      ? String.fromCodePoint(parseInt(e.slice(2), 16))
      : e.startsWith('#')
        ? String.fromCodePoint(Number(e.slice(1)))
        : { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[e as 'amp'];
    i += m[0].length - 1;
  }
  return out;
}

/** Parses `xml` strictly; returns the root element. */
export function parseXml(xml: string): XmlElement {
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let i = 0;
  const fail = (msg: string): never => {
    throw new Error(`XML: ${msg} at offset ${i}: ${JSON.stringify(xml.slice(i, i + 40))}`);
  };
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const chunk = xml.slice(i, lt < 0 ? xml.length : lt);
    if (stack.length) stack[stack.length - 1]!.text += decode(chunk, i);
    else if (chunk.trim() !== '') fail('text outside the root element');
    if (lt < 0) break;
    i = lt;
    if (xml.startsWith('<!--', i)) {
      const end = xml.indexOf('-->', i + 4);
      if (end < 0 || xml.slice(i + 4, end).includes('--')) fail('bad comment');
      i = end + 3;
    } else if (xml.startsWith('<?', i)) {
      if (root || stack.length) fail('processing instruction after the root started');
      const end = xml.indexOf('?>', i);
      if (end < 0) fail('unterminated <?');
      i = end + 2;
    } else if (xml.startsWith('<!DOCTYPE', i)) {
      if (root || stack.length) fail('DOCTYPE after the root started');
      const end = xml.indexOf('>', i);
      if (end < 0 || xml.slice(i, end).includes('[')) fail('unsupported DOCTYPE');
      i = end + 1;
    } else if (xml.startsWith('</', i)) {
      const m = NAME.exec(xml.slice(i + 2));
      if (!m) fail('bad closing tag');
      const open = stack.pop();
      if (!open || open.name !== m![0]) fail(`</${m![0]}> closes <${open?.name ?? 'nothing'}>`);
      i += 2 + m![0].length;
      while (/\s/.test(xml[i] ?? '')) i++;
      if (xml[i] !== '>') fail('bad closing tag');
      i++;
    } else {
      const m = NAME.exec(xml.slice(i + 1));
      if (!m) fail('bad tag name');
      const el: XmlElement = { name: m![0], attrs: {}, children: [], text: '' };
      i += 1 + m![0].length;
      for (;;) {
        const ws = /^\s*/.exec(xml.slice(i))![0].length;
        i += ws;
        if (xml.startsWith('/>', i) || xml[i] === '>') break;
        if (ws === 0) fail('attributes must be separated by white space');
        const a = /^([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*("([^"<]*)"|'([^'<]*)')/.exec(xml.slice(i));
        if (!a) fail('bad attribute');
        if (a![1]! in el.attrs) fail(`duplicate attribute ${a![1]}`);
        el.attrs[a![1]!] = decode(a![3] ?? a![4]!, i);
        i += a![0].length;
      }
      const selfClosing = xml[i] === '/';
      i += selfClosing ? 2 : 1;
      if (stack.length) stack[stack.length - 1]!.children.push(el);
      else if (root) fail('a second root element');
      else root = el;
      if (!selfClosing) stack.push(el);
    }
  }
  if (stack.length) throw new Error(`XML: <${stack[stack.length - 1]!.name}> is never closed`);
  if (!root) throw new Error('XML: no root element');
  return root;
}

/** Every element of the tree, depth first. */
export function allElements(el: XmlElement): XmlElement[] {
  return [el, ...el.children.flatMap(allElements)];
}
