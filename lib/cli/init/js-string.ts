/** `it's` → `'it\'s'`: a single-quoted JavaScript string literal, the quoting `cdk init` code uses. */
export function jsString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}
