// The README stays a user's guide and the documentation stays inside the repository:
// README.md is at most 200 lines (the rest belongs in docs/), no link in README.md or
// docs/**/*.md leaves the repository or points to a file or heading that does not exist,
// and the README's test command is the one .ci/run runs. The checks are plain functions,
// tried first on small texts with each fault, so a check that cannot fail is caught too.

import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const README = join(ROOT, 'README.md');
const MAX_README_LINES = 200;
/** The datasets' folder beside the repository: documentation may name it, never link into it. */
const OUTSIDE_DATA = '../shared';

const lineCount = (text: string): number => text.split('\n').length - (text.endsWith('\n') ? 1 : 0);

/** The text without fenced code blocks and inline code spans (links there are not links). */
function prose(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/`[^`\n]*`/g, '');
}

/** Link targets: inline links and images `[x](target "title")`, reference definitions `[x]: target`, autolinks `<scheme:…>`. */
export function linkTargets(markdown: string): string[] {
  const text = prose(markdown);
  const targets: string[] = [];
  for (const m of text.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g)) targets.push(m[1]);
  for (const m of text.matchAll(/^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/gm)) targets.push(m[1]);
  for (const m of text.matchAll(/<([a-z][a-z0-9+.-]*:[^>\s]+)>/gi)) targets.push(m[1]);
  return targets;
}

/** Heading anchors as GitHub makes them: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  const text = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
  for (const m of text.matchAll(/^ {0,3}#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = m[1].toLowerCase().replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

/**
 * What is wrong with the links of `file` (a Markdown file inside `root`), given its text:
 * anything that leaves the repository, a missing file, a missing heading. Web links
 * (http, https, mailto) are not followed.
 */
export function linkProblems(file: string, markdown: string, root: string): string[] {
  const problems: string[] = [];
  const name = relative(root, file);
  if (markdown.includes(OUTSIDE_DATA)) problems.push(`${name} mentions ${OUTSIDE_DATA}, outside the repository`);
  for (const target of linkTargets(markdown)) {
    if (/^(https?|mailto):/i.test(target)) continue;
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || isAbsolute(target) || target.startsWith('~')) {
      problems.push(`${name} links to ${target}, outside the repository`);
      continue;
    }
    const [pathPart, anchor] = target.split('#', 2) as [string, string | undefined];
    const resolved = pathPart === '' ? file : resolve(dirname(file), decodeURIComponent(pathPart));
    const inside = relative(root, resolved);
    if (inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
      problems.push(`${name} links to ${target}, outside the repository`);
      continue;
    }
    if (pathPart !== '' && !existsSync(resolved)) {
      problems.push(`${name} links to ${target}, which does not exist`);
      continue;
    }
    if (anchor && resolved.endsWith('.md') && (resolved === file || statSync(resolved).isFile())) {
      const text = resolved === file ? markdown : readFileSync(resolved, 'utf8');
      if (!headingAnchors(text).has(anchor)) problems.push(`${name} links to ${target}, but ${relative(root, resolved)} has no heading #${anchor}`);
    }
  }
  return problems;
}

function markdownFilesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    return e.isDirectory() ? markdownFilesUnder(path) : e.name.endsWith('.md') ? [path] : [];
  });
}

describe('the link checks', () => {
  const file = join(ROOT, 'docs', 'example.md');

  it('find inline, image, reference and auto links, and none inside code', () => {
    const text = [
      'See [design](design.md#layout) and ![a chart](../assets/chart.png "Chart").',
      '[ref]: ./cli.md',
      '<https://example.org/x>',
      'In code: `[not](a-link.md)`',
      '```sh',
      'echo "[also not](b.md)"',
      '```',
    ].join('\n');
    expect(linkTargets(text)).toEqual(['design.md#layout', '../assets/chart.png', './cli.md', 'https://example.org/x']);
  });

  it('make anchors as GitHub does', () => {
    expect([...headingAnchors('# ONNX export and import (`core/onnx/`)\n## The data and its licences\n## Notes\n## Notes\n')])
      .toEqual(['onnx-export-and-import-coreonnx', 'the-data-and-its-licences', 'notes', 'notes-1']);
  });

  it('refuse links that leave the repository, and any mention of the data folder beside it', () => {
    expect(linkProblems(file, '[x](../../elsewhere/notes.md)', ROOT)).toEqual(['docs/example.md links to ../../elsewhere/notes.md, outside the repository']);
    expect(linkProblems(file, '[x](/etc/hosts) [y](file:///etc/hosts) [z](~/notes.md)', ROOT)).toHaveLength(3);
    expect(linkProblems(file, 'Data in `../shared/data/fsdd`.', ROOT)).toEqual([`docs/example.md mentions ${OUTSIDE_DATA}, outside the repository`]);
  });

  it('refuse links to files or headings that do not exist, and accept those that do', () => {
    expect(linkProblems(file, '[x](no-such-file.md)', ROOT)).toEqual(['docs/example.md links to no-such-file.md, which does not exist']);
    expect(linkProblems(file, '[x](../README.md#no-such-heading)', ROOT)).toEqual(['docs/example.md links to ../README.md#no-such-heading, but README.md has no heading #no-such-heading']);
    expect(linkProblems(file, '# Here\n[x](#here) [y](../package.json) [z](https://example.org)', ROOT)).toEqual([]);
  });
});

describe('README.md and docs/', () => {
  const readme = readFileSync(README, 'utf8');

  it(`README.md is a guide of at most ${MAX_README_LINES} lines`, () => {
    expect(lineCount(readme)).toBeLessThanOrEqual(MAX_README_LINES);
  });

  it('no link leaves the repository or points to a file or heading that does not exist', () => {
    const files = [README, ...markdownFilesUnder(join(ROOT, 'docs'))];
    expect(files.length).toBeGreaterThan(1);
    expect(files.flatMap((f) => linkProblems(f, readFileSync(f, 'utf8'), ROOT))).toEqual([]);
  });

  it("the README's test command is the one .ci/run runs", () => {
    const section = /^## Tests\n([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(readme)?.[1] ?? '';
    const command = /^```sh\n([^\n]+)\n```/m.exec(section)?.[1].trim();
    expect(command).toBe('npm test');
    const ciCommands = readFileSync(join(ROOT, '.ci', 'run'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    expect(ciCommands.at(-1)).toBe(command);
  });
});
