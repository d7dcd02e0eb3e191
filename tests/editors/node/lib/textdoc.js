// A client-side copy of a document that applies LSP content changes in a negotiated position
// encoding, and makes random edits, so the tests can compare it with the server's copy.
'use strict';

/** String index of an LSP position (`character` counted in `encoding` units) in `text`. */
function offsetAt(text, position, encoding) {
  let start = 0;
  for (let line = 0; line < position.line; line++) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) {
      return text.length;
    }
    start = nl + 1;
  }
  let end = text.indexOf('\n', start);
  if (end < 0) {
    end = text.length;
  }
  const lineText = text.slice(start, end);
  if (encoding === 'utf-16') {
    return start + Math.min(position.character, lineText.length);
  }
  const units = encoding === 'utf-8' ? (cp) => Buffer.byteLength(String.fromCodePoint(cp)) : () => 1;
  let counted = 0;
  let i = 0;
  for (const ch of lineText) {
    if (counted >= position.character) {
      break;
    }
    counted += units(ch.codePointAt(0));
    i += ch.length;
  }
  return start + i;
}

/** LSP position of string index `offset` in `text`, in `encoding` units. */
function positionAt(text, offset, encoding) {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  const lineStart = before.lastIndexOf('\n') + 1;
  const inLine = text.slice(lineStart, offset);
  let character;
  if (encoding === 'utf-16') {
    character = inLine.length;
  } else if (encoding === 'utf-8') {
    character = Buffer.byteLength(inLine);
  } else {
    character = [...inLine].length;
  }
  return { line, character };
}

class TextDoc {
  constructor(uri, text, encoding, languageId = 'csharp') {
    this.uri = uri;
    this.text = text;
    this.encoding = encoding;
    this.languageId = languageId;
    this.version = 1;
  }

  openParams() {
    return { textDocument: { uri: this.uri, languageId: this.languageId, version: this.version, text: this.text } };
  }

  /** Applies changes in order (each on the result of the one before, as LSP says). */
  apply(changes) {
    for (const change of changes) {
      if (!change.range) {
        this.text = change.text;
        continue;
      }
      const a = offsetAt(this.text, change.range.start, this.encoding);
      const b = offsetAt(this.text, change.range.end, this.encoding);
      this.text = this.text.slice(0, a) + change.text + this.text.slice(b);
    }
    this.version += 1;
    return { textDocument: { uri: this.uri, version: this.version }, contentChanges: changes };
  }

  /** A change replacing string indexes [from, to) with `text`. */
  change(from, to, text) {
    return {
      range: { start: positionAt(this.text, from, this.encoding), end: positionAt(this.text, to, this.encoding) },
      text,
    };
  }

  /** Applies `count` random changes, sent together in one notification. */
  randomEdit(rng, count) {
    const changes = [];
    for (let i = 0; i < count; i++) {
      const from = codePointBoundary(this.text, Math.floor(rng() * (this.text.length + 1)));
      const span = rng() < 0.5 ? 0 : Math.floor(rng() * 12);
      const to = codePointBoundary(this.text, Math.min(this.text.length, from + span));
      const change = this.change(from, Math.max(from, to), rng() < 0.2 ? '' : randomText(rng));
      // Apply each change to the local copy now: the next one is positioned in the new text.
      const a = from;
      const b = Math.max(from, to);
      this.text = this.text.slice(0, a) + change.text + this.text.slice(b);
      changes.push(change);
    }
    this.version += 1;
    return { textDocument: { uri: this.uri, version: this.version }, contentChanges: changes };
  }
}

const PIECES = ['x', 'Console.', 'WriteLine', '(', ')', ';', ' ', '    ', '\n', '\n    ', 'é', 'ß', '😀', '→', '{}', '"s"', '// c\n', 'int i = 0;'];

function randomText(rng) {
  let s = '';
  const n = 1 + Math.floor(rng() * 3);
  for (let i = 0; i < n; i++) {
    s += PIECES[Math.floor(rng() * PIECES.length)];
  }
  return s;
}

/** Moves `i` off the middle of a surrogate pair. */
function codePointBoundary(text, i) {
  if (i > 0 && i < text.length) {
    const c = text.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff) {
      return i - 1;
    }
  }
  return i;
}

/** A small seeded generator (mulberry32), so a failure can be replayed. */
function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

module.exports = { TextDoc, offsetAt, positionAt, seeded };
