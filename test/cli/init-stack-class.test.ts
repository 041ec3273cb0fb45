import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maskSource } from '../../lib/cli/init/source-mask.ts';
import { findConstructors, findStackClasses } from '../../lib/cli/init/stack-class.ts';

test('classes, braces and EventFlow written in comments, strings, templates and regexes are not taken for code', () => {
  const source = [
    '// class Old extends Stack { constructor() { new EventFlow(this, "x"); } }',
    '/* class Older extends cdk.Stack { } */',
    "const a = 'class Quoted extends Stack {';",
    'const b = `EventFlow ${"}"} class InTemplate extends Stack {`;',
    'const c = /class Re extends Stack \\{/;',
    'export class RealStack extends cdk.Stack {',
    '  constructor(scope: Construct, id: string) {',
    "    super(scope, id); // }",
    '  }',
    '}',
    '',
  ].join('\n');
  const masked = maskSource(source);
  assert.equal(masked.length, source.length);
  assert.doesNotMatch(masked, /EventFlow/);
  assert.deepEqual(findStackClasses(masked).map((c) => c.name), ['RealStack']);
});

test("the one constructor of a stack class is found whole, braces of its parameters, nested blocks and methods aside", () => {
  const source = [
    'class AppStack extends Stack {',
    '  private readonly x = { constructor: 1 };',
    '  constructor(scope: Construct, id: string, props: StackProps = { tags: {} }) {',
    '    super(scope, id, props);',
    '    if (props) { for (const k of []) { void k; } }',
    '  }',
    '  method() { return { constructor() {} }; }',
    '}',
  ].join('\n');
  const masked = maskSource(source);
  const [cls] = findStackClasses(masked);
  const ctors = findConstructors(masked, cls!);
  assert.equal(ctors?.length, 1);
  const body = source.slice(ctors![0]!.bodyOpen, ctors![0]!.bodyClose + 1);
  assert.ok(body.startsWith('{\n    super(scope, id, props);') && body.endsWith('}\n  }'), body);
});

test('a class extending something other than a Stack is not a stack class', () => {
  assert.deepEqual(findStackClasses(maskSource('class Api extends Construct {}\nclass Base extends BaseStack {}\n')).map((c) => c.name), ['Base']);
});
