// A small glob matcher for command-line arguments: `*`, `?`, `[abc]`/`[!abc]`, `{a,b}` and `**`
// (any number of directories). Node 20 has no stable fs.glob, and the CLI depends on builtins only.

/** Whether a string contains glob syntax. */
export function hasGlobMagic(pattern: string): boolean {
  return /[*?[{]/.test(pattern);
}

/**
 * Splits a pattern into the directory to walk from (every leading segment without glob syntax)
 * and the rest, which is matched against paths relative to that directory.
 */
export function splitGlob(pattern: string): { base: string; rest: string } {
  const normalized = pattern.replace(/\\/g, '/');
  const segments = normalized.split('/');
  let i = 0;
  while (i < segments.length - 1 && !hasGlobMagic(segments[i])) i++;
  const baseSegments = segments.slice(0, i);
  let base = baseSegments.join('/');
  if (base === '' && normalized.startsWith('/')) base = '/';
  return { base: base === '' ? '.' : base, rest: segments.slice(i).join('/') };
}

/** Compiles a glob (over `/`-separated relative paths) to a regular expression matching whole paths. */
export function globToRegExp(pattern: string): RegExp {
  const segments = pattern.split('/');
  let source = '';
  segments.forEach((segment, i) => {
    const last = i === segments.length - 1;
    if (segment === '**') {
      // Zero or more whole directories; as the final segment, anything below.
      source += last ? '.*' : '(?:[^/]+/)*';
      return;
    }
    source += translateSegment(segment) + (last ? '' : '/');
  });
  return new RegExp(`^${source}$`);
}

function translateSegment(segment: string): string {
  let out = '';
  for (let i = 0; i < segment.length; i++) {
    const ch = segment[i];
    if (ch === '*') {
      while (segment[i + 1] === '*') i++;
      out += '[^/]*';
    } else if (ch === '?') {
      out += '[^/]';
    } else if (ch === '[') {
      const close = segment.indexOf(']', i + 2);
      if (close === -1) {
        out += '\\[';
        continue;
      }
      let body = segment.slice(i + 1, close);
      const negated = body.startsWith('!') || body.startsWith('^');
      if (negated) body = body.slice(1);
      out += `[${negated ? '^/' : ''}${body.replace(/[\\\]^]/g, (c) => '\\' + c)}]`;
      i = close;
    } else if (ch === '{') {
      const close = matchingBrace(segment, i);
      if (close === -1) {
        out += '\\{';
        continue;
      }
      const alternatives = splitTopLevelCommas(segment.slice(i + 1, close));
      out += `(?:${alternatives.map(translateSegment).join('|')})`;
      i = close;
    } else {
      out += ch.replace(/[.+^${}()|[\]\\]/g, (c) => '\\' + c);
    }
  }
  return out;
}

function matchingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

function splitTopLevelCommas(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '{') depth++;
    if (ch === '}') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}
