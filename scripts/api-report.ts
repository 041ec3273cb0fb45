/**
 * The public surface of each entry point, written down by API Extractor from the built
 * declarations (dist/esm) into docs/api/<entry>.api.md. A change to what teams import then
 * shows in review as a diff of those files.
 *
 *   tsx scripts/api-report.ts          checks: fails, naming the entry points, when a report differs
 *   tsx scripts/api-report.ts --update  rewrites the reports (commit them with the change)
 *
 * Needs `npm run build` first (it reads dist/esm/<entry>/index.d.ts).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Extractor, ExtractorConfig, ExtractorLogLevel } from '@microsoft/api-extractor';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const REPORTS = join(ROOT, 'docs', 'api');

/** Entry point (package subpath) → folder under dist/esm. */
const ENTRIES: Record<string, string> = { busline: 'constructs', 'busline/runtime': 'runtime', 'busline/local': 'local', 'busline/testing': 'testing' };

const update = process.argv.includes('--update');
mkdirSync(REPORTS, { recursive: true });
const changed: string[] = [];
for (const [entry, folder] of Object.entries(ENTRIES)) {
  const mainEntryPointFilePath = join(ROOT, 'dist', 'esm', folder, 'index.d.ts');
  if (!existsSync(mainEntryPointFilePath)) throw new Error(`${mainEntryPointFilePath} is missing: run \`npm run build\` first`);
  const reportName = entry.replace('/', '-');
  const config = ExtractorConfig.prepare({
    configObject: {
      projectFolder: ROOT,
      mainEntryPointFilePath,
      compiler: { overrideTsconfig: { compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', lib: ['ES2023'], types: ['node'], strict: true, skipLibCheck: true } } },
      apiReport: { enabled: true, reportFileName: `${reportName}.api.md`, reportFolder: REPORTS, reportTempFolder: join(ROOT, 'node_modules', '.cache', 'api-report') },
      docModel: { enabled: false },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      messages: {
        // The report lists what is public; TSDoc style and release tags are not checked here.
        extractorMessageReporting: { default: { logLevel: ExtractorLogLevel.None }, 'ae-missing-release-tag': { logLevel: ExtractorLogLevel.None } },
        tsdocMessageReporting: { default: { logLevel: ExtractorLogLevel.None } },
        compilerMessageReporting: { default: { logLevel: ExtractorLogLevel.Warning } },
      },
    },
    configObjectFullPath: join(ROOT, 'scripts', 'api-report.json'),
    packageJsonFullPath: join(ROOT, 'package.json'),
  });
  const result = Extractor.invoke(config, { localBuild: update, messageCallback: (m) => { if (m.logLevel === ExtractorLogLevel.None) m.handled = true; } });
  if (!result.succeeded || result.apiReportChanged) changed.push(entry);
}
if (changed.length > 0 && !update) {
  console.error(`API report out of date for ${changed.join(', ')}: the public surface changed. Run \`npm run api-report -- --update\` and commit docs/api/.`);
  process.exit(1);
}
console.log(update ? `API reports written to docs/api/ (${Object.keys(ENTRIES).length} entry points)` : `API reports match (${Object.keys(ENTRIES).length} entry points)`);
