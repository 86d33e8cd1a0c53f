/** One `---`-separated document of a YAML stream: where its text is, and its first content line. */
export interface YamlSegment {
  /** Character offsets of the document's text (after its `---` line). */
  from: number;
  to: number;
  /** Lines before `from` (so that line n of the segment is line n + lineOffset of the file). */
  lineOffset: number;
  /** 1-based line of the first line that is neither blank nor a comment. */
  firstContentLine: number;
}

/**
 * The documents of a stream in the order a YAML parser yields them: segments between `---` markers,
 * where the text before the first marker is a document only if it holds more than comments. A text
 * scan, so that a fast parser that gives values without positions (js-yaml) can be paired with lines;
 * callers compare the count with the parser's and distrust both when they differ (a `...` end marker).
 */
export function yamlSegments(text: string): YamlSegment[] {
  const segments: YamlSegment[] = [];
  let offset = 0;
  let line = 0;
  let current: YamlSegment = { from: 0, to: 0, lineOffset: 0, firstContentLine: 0 };
  let index = 0;
  const close = (end: number) => {
    current.to = end;
    if (index > 0 || current.firstContentLine > 0) {
      if (current.firstContentLine === 0) current.firstContentLine = current.lineOffset + 1;
      segments.push(current);
    }
  };
  for (const raw of text.split('\n')) {
    line++;
    if (/^---(\s|$)/.test(raw)) {
      close(offset);
      index++;
      current = { from: offset + raw.length + 1, to: 0, lineOffset: line, firstContentLine: 0 };
      // Content may follow the marker on the same line (`--- {a: 1}`).
      if (
        raw
          .replace(/^---\s*/, '')
          .replace(/#.*/, '')
          .trim() !== ''
      ) {
        current = { ...current, from: offset, lineOffset: line - 1, firstContentLine: line };
      }
    } else if (current.firstContentLine === 0 && raw.trim() !== '' && !raw.trimStart().startsWith('#')) {
      current.firstContentLine = line;
    }
    offset += raw.length + 1;
  }
  close(text.length);
  return segments;
}
