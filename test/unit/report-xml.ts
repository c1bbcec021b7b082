/**
 * A strict little XML well-formedness check for the charts (no dependency): tags nest and
 * close, attributes are quoted and not repeated, text holds no raw `<` or stray `&`, entity
 * references are the five XML ones or numeric. Returns the problems found (none: well formed).
 */
export function xmlProblems(doc: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  const entity = /&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/y;
  const checkText = (t: string, at: number): void => {
    for (let i = 0; i < t.length; i++) {
      if (t[i] === '<') problems.push(`raw < at ${at + i}`);
      if (t[i] === '&') {
        entity.lastIndex = i;
        if (!entity.test(t)) problems.push(`bad entity at ${at + i}: ${t.slice(i, i + 10)}`);
      }
    }
  };
  let i = 0;
  let roots = 0;
  while (i < doc.length) {
    const lt = doc.indexOf('<', i);
    if (lt < 0) {
      checkText(doc.slice(i), i);
      break;
    }
    checkText(doc.slice(i, lt), i);
    const gt = doc.indexOf('>', lt);
    if (gt < 0) {
      problems.push(`unclosed tag at ${lt}`);
      break;
    }
    const tag = doc.slice(lt + 1, gt);
    i = gt + 1;
    if (tag.startsWith('?') || tag.startsWith('!')) continue;
    if (tag.startsWith('/')) {
      const name = tag.slice(1).trim();
      const open = stack.pop();
      if (open !== name) problems.push(`</${name}> closes <${open ?? 'nothing'}> at ${lt}`);
      continue;
    }
    const selfClosing = tag.endsWith('/');
    const body = selfClosing ? tag.slice(0, -1) : tag;
    const m = /^([A-Za-z][\w:-]*)/.exec(body);
    if (!m) {
      problems.push(`bad tag name at ${lt}: <${tag.slice(0, 20)}`);
      continue;
    }
    const name = m[1]!;
    const attrs = body.slice(name.length);
    const attr = /\s+([A-Za-z_:][\w:.-]*)="([^"<]*)"/y;
    const seen = new Set<string>();
    let k = 0;
    while (k < attrs.trimEnd().length) {
      attr.lastIndex = k;
      const a = attr.exec(attrs);
      if (!a) {
        problems.push(`bad attribute in <${name}> at ${lt}: ${attrs.slice(k, k + 30)}`);
        break;
      }
      if (seen.has(a[1]!)) problems.push(`repeated attribute ${a[1]} in <${name}> at ${lt}`);
      seen.add(a[1]!);
      checkText(a[2]!, lt);
      k = attr.lastIndex;
    }
    if (stack.length === 0) roots++;
    if (!selfClosing) stack.push(name);
  }
  if (stack.length) problems.push(`unclosed: ${stack.join(' > ')}`);
  if (roots !== 1) problems.push(`${roots} root elements`);
  return problems;
}
