/**
 * Adds the flow to the app's stack: `import { EventFlow } from 'busline'` (or the require) beside
 * the file's other imports, and three lines at the end of the stack's constructor. Only when
 * that is unambiguous: one file, one class extending a Stack, one constructor calling super,
 * no EventFlow yet, no name the lines declare already in use. Otherwise it edits nothing and
 * says why, with the lines to add by hand.
 */
import { readFileSync } from 'node:fs';
import { extname, relative } from 'node:path';
import { stackSearchOf, type AppLayout } from './app-layout.ts';
import { jsString } from './js-string.ts';
import type { InitNames } from './names.ts';
import { maskSource } from './source-mask.ts';
import { findConstructors, findStackClasses } from './stack-class.ts';

export type StackEdit =
  /** `content` is the whole edited file. */
  | { readonly kind: 'edit'; readonly file: string; readonly className: string; readonly content: string }
  /** The file already declares this topic and subscription. */
  | { readonly kind: 'present'; readonly file: string }
  /** Not edited: `reason` says why; `importLine` (when needed) and `lines` are what to add, and `where` where. */
  | { readonly kind: 'manual'; readonly file?: string; readonly reason: string; readonly importLine?: string; readonly where: string; readonly lines: readonly string[] };

/** The lines that declare the flow, its topic and the subscription (unindented). */
export function flowLines(names: InitNames, handlerPath: string, withFlow = true): string[] {
  return [
    ...(withFlow ? ["const flow = new EventFlow(this, 'Flow');"] : []),
    `const ${names.topicVariable} = flow.addTopic(${jsString(names.topic)}, { source: ${jsString(names.source)} });`,
    `flow.addSubscription(${jsString(names.subscription)}, { topic: ${names.topicVariable}, handler: ${jsString(handlerPath)} });`,
  ];
}

export function planStackEdit(layout: AppLayout, names: InitNames, handlerPath: string): StackEdit {
  const lines = flowLines(names, handlerPath);
  const sources = layout.stackFiles.map((file) => ({ file, source: readFileSync(file, 'utf8') }));
  const done = sources.find(({ source }) => declaresFlow(source, names));
  if (done) return { kind: 'present', file: done.file };
  const importLine = importLineFor(sources[0]?.file, layout);
  if (sources.length !== 1) {
    const reason = sources.length === 0
      ? `found no class extending Stack in ${stackSearchOf(layout)}`
      : `${sources.length} files declare stacks (${sources.map((s) => relative(layout.root, s.file)).join(', ')}): the flow goes in the one you choose`;
    return { kind: 'manual', reason, importLine, where: "at the end of your stack's constructor", lines };
  }
  const { file, source } = sources[0]!;
  const result = editStackSource(source, importLine, lines, names);
  if ('content' in result) return { kind: 'edit', file, className: result.className, content: result.content };
  const where = result.className ? `at the end of ${result.className}'s constructor` : "at the end of your stack's constructor";
  if (result.hasFlow) {
    return { kind: 'manual', file, reason: result.reason, where: `after your EventFlow (here named flow) in ${result.className ?? 'the stack'}`, lines: flowLines(names, handlerPath, false) };
  }
  return { kind: 'manual', file, reason: result.reason, importLine, where, lines };
}

/** Whether the stack already adds this topic and this subscription (what a previous `busline init` wrote). */
function declaresFlow(source: string, names: InitNames): boolean {
  const call = (method: string, name: string): RegExp => new RegExp(`\\.${method}\\(\\s*(['"\`])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\1`);
  return call('addTopic', names.topic).test(source) && call('addSubscription', names.subscription).test(source);
}

/** `import { EventFlow } from 'busline';`, or the require in a CommonJS JavaScript file. */
function importLineFor(file: string | undefined, layout: AppLayout): string {
  const ext = file ? extname(file) : layout.language === 'typescript' ? '.ts' : '.js';
  const commonJsScript = ext === '.cjs' || (ext === '.js' && layout.format === 'commonjs');
  return commonJsScript ? "const { EventFlow } = require('busline');" : "import { EventFlow } from 'busline';";
}

type SourceEdit = { content: string; className: string } | { reason: string; className?: string; hasFlow?: boolean };

function editStackSource(source: string, importLine: string, lines: readonly string[], names: InitNames): SourceEdit {
  const masked = maskSource(source);
  const classes = findStackClasses(masked);
  if (classes.length !== 1) {
    return { reason: classes.length === 0 ? 'it declares no class extending Stack that could be read' : `it declares ${classes.length} stack classes (${classes.map((c) => c.name).join(', ')}): the flow goes in the one you choose` };
  }
  const cls = classes[0]!;
  const className = cls.name;
  if (/\bEventFlow\b/.test(masked)) return { reason: 'it already uses an EventFlow: add the topic and the subscription to it', className, hasFlow: true };
  const constructors = findConstructors(masked, cls);
  if (constructors === undefined) return { reason: `the braces of ${className}'s constructor could not be matched`, className };
  if (constructors.length !== 1) return { reason: constructors.length === 0 ? `${className} has no constructor` : `${className} has ${constructors.length} constructors`, className };
  const ctor = constructors[0]!;
  const body = masked.slice(ctor.bodyOpen + 1, ctor.bodyClose);
  if (!/\bsuper\s*\(/.test(body)) return { reason: `${className}'s constructor does not call super(...)`, className };
  const taken = [...new Set(['flow', names.topicVariable])].filter((id) => new RegExp(`(?<![\\w$.])${id.replace(/\$/g, '\\$')}(?![\\w$])`).test(body));
  if (taken.length > 0) return { reason: `${className}'s constructor already uses the name${taken.length > 1 ? 's' : ''} ${taken.join(', ')}`, className };
  const closeLineStart = source.lastIndexOf('\n', ctor.bodyClose) + 1;
  if (source.slice(closeLineStart, ctor.bodyClose).trim() !== '' || closeLineStart <= ctor.bodyOpen) {
    return { reason: `the closing brace of ${className}'s constructor shares its line with code`, className };
  }
  const importAt = endOfLastImport(masked, importLine.startsWith('import') ? 'import' : 'require', cls.bodyOpen);
  if (importAt === undefined) return { reason: 'it has no import lines to put the EventFlow import beside', className };

  const eol = source.includes('\r\n') ? '\r\n' : '\n';
  const superAt = ctor.bodyOpen + 1 + body.search(/\bsuper\s*\(/);
  const indent = /^[ \t]*/.exec(source.slice(source.lastIndexOf('\n', superAt) + 1))![0];
  // After the constructor's last statement (or comment), before the whitespace that leads to its `}`.
  const insertAt = ctor.bodyOpen + 1 + source.slice(ctor.bodyOpen + 1, ctor.bodyClose).trimEnd().length;
  const block = [eol, ...lines.map((line) => `${eol}${indent}${line}`)].join('');
  const withFlow = source.slice(0, insertAt) + block + source.slice(insertAt);
  return { content: withFlow.slice(0, importAt) + `${eol}${importLine}` + withFlow.slice(importAt), className };
}

const IMPORT_STATEMENT = /^[ \t]*import\s[^;'"]*?(['"])[^'"\n]*\1[^\r\n]*/gm;
const REQUIRE_STATEMENT = /^[ \t]*(?:const|let|var)\s[^=;]+=\s*require\s*\(\s*(['"])[^'"\n]*\1\s*\)[^\r\n]*/gm;

/** Index of the end of the line holding the last import (or top-level require) before `before`. */
function endOfLastImport(masked: string, style: 'import' | 'require', before: number): number | undefined {
  let end: number | undefined;
  for (const m of masked.matchAll(style === 'import' ? IMPORT_STATEMENT : REQUIRE_STATEMENT)) {
    if (m.index >= before) break;
    end = m.index + m[0].length;
  }
  return end;
}
