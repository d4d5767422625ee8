import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { parse as parseYaml } from 'yaml';

/**
 * The Agents Toolkit project files (m365agents*.yml): parsed, checked against the toolkit's own JSON
 * schema where it is on this machine (scripts/toolkitSchema.sh takes it from the toolkit CLI's package;
 * .ci/run does that), and checked for the steps this project needs in any case.
 */

const ROOT = join(__dirname, '..', '..');
const PROJECT_FILES = ['m365agents.yml', 'm365agents.local.yml', 'm365agents.playground.yml'];
const load = (file: string) =>
  parseYaml(readFileSync(join(ROOT, file), 'utf8')) as {
    version: string;
    environmentFolderPath: string;
    provision?: { uses: string; with?: Record<string, unknown> }[];
    deploy?: { uses: string; with?: Record<string, unknown> }[];
  };

describe('Agents Toolkit project files', () => {
  const schemaVersions = [...new Set(PROJECT_FILES.map((f) => load(f).version))];

  test("one schema version for all of them, named in each file's yaml-language-server line", () => {
    expect(schemaVersions).toEqual(['v1.9']);
    for (const file of PROJECT_FILES) {
      expect(readFileSync(join(ROOT, file), 'utf8').split('\n')[0]).toBe(
        `# yaml-language-server: $schema=https://aka.ms/m365-agents-toolkits/${schemaVersions[0]}/yaml.schema.json`,
      );
      expect(load(file).environmentFolderPath).toBe('./env');
    }
  });

  const schemaFile = join(ROOT, 'node_modules', '.cache', 'm365agents-toolkit', `yaml.schema.${schemaVersions[0]}.json`);
  const withSchema = existsSync(schemaFile) ? test.each(PROJECT_FILES) : test.skip.each(PROJECT_FILES);
  if (!existsSync(schemaFile)) {
    console.warn(
      `SKIPPED: the Agents Toolkit's yaml schema is not at ${schemaFile}; run scripts/toolkitSchema.sh (CI does) to check m365agents*.yml against it.`,
    );
  }
  withSchema("%s is valid against the toolkit's schema", (file) => {
    const validate = new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(schemaFile, 'utf8')));
    const valid = validate(load(file));
    expect(valid ? [] : validate.errors!.map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`)).toEqual([]);
  });

  test('m365agents.yml: provision makes the Teams app and the bot app, deploys infra/azure.bicep, validates, zips and updates the app; deploy builds the image and deploys it', () => {
    const project = load('m365agents.yml');
    expect(project.provision!.map((a) => a.uses)).toEqual([
      'teamsApp/create',
      'botAadApp/create',
      'script',
      'arm/deploy',
      'teamsApp/validateManifest',
      'teamsApp/zipAppPackage',
      'teamsApp/validateAppPackage',
      'teamsApp/update',
    ]);
    expect(project.deploy!.map((a) => a.uses)).toEqual(['script', 'arm/deploy']);
    for (const arm of [...project.provision!, ...project.deploy!].filter((a) => a.uses === 'arm/deploy')) {
      expect(arm.with!.templates).toEqual([expect.objectContaining({ path: './infra/azure.bicep', parameters: './infra/azure.parameters.json' })]);
    }
    const build = String(project.deploy![0].with!.run);
    expect(build).toContain('az acr build');
    expect(build).toContain('--file Dockerfile');
    expect(build).toContain('::set-teamsfx-env BOT_CONTAINER_IMAGE=');
    for (const file of ['infra/azure.bicep', 'infra/azure.parameters.json', 'Dockerfile', '.dockerignore', 'appPackage/manifest.json'])
      expect(existsSync(join(ROOT, file))).toBe(true);
  });

  test('m365agents.local.yml registers the bot on the tunnel; the playground project needs no Teams or Azure', () => {
    const local = load('m365agents.local.yml');
    const registration = local.provision!.find((a) => a.uses === 'botFramework/create')!;
    expect(registration.with).toMatchObject({ messagingEndpoint: '${{BOT_ENDPOINT}}/api/messages', channels: [{ name: 'msteams' }] });
    const playground = load('m365agents.playground.yml');
    expect(playground.provision).toBeUndefined();
    expect(playground.deploy!.map((a) => a.uses)).toEqual(['cli/runNpmCommand', 'file/createOrUpdateEnvironmentFile']);
  });

  test("VS Code: each launch configuration's pre-launch task and env file exist in tasks.json and the toolkit files", () => {
    const launch = JSON.parse(readFileSync(join(ROOT, '.vscode/launch.json'), 'utf8')) as {
      configurations: { name: string; preLaunchTask?: string; envFile?: string; program?: string }[];
      compounds: { configurations: string[] }[];
    };
    const tasks = JSON.parse(readFileSync(join(ROOT, '.vscode/tasks.json'), 'utf8')) as { tasks: { label: string; dependsOn?: string[] | string }[] };
    const labels = new Set(tasks.tasks.map((t) => t.label));
    for (const task of tasks.tasks)
      for (const dependency of [task.dependsOn ?? []].flat())
        expect({ task: task.label, dependency, exists: labels.has(dependency) }).toEqual({ task: task.label, dependency, exists: true });
    const written = PROJECT_FILES.flatMap((f) =>
      (load(f).deploy ?? []).filter((a) => a.uses === 'file/createOrUpdateEnvironmentFile').map((a) => String(a.with!.target).replace(/^\.\//, '')),
    );
    for (const config of launch.configurations) {
      if (config.preLaunchTask) expect(labels.has(config.preLaunchTask)).toBe(true);
      if (config.envFile) expect(written).toContain(config.envFile.replace('${workspaceFolder}/', ''));
      if (config.program) expect(existsSync(config.program.replace('${workspaceFolder}', ROOT))).toBe(true);
    }
    const names = new Set(launch.configurations.map((c) => c.name));
    for (const compound of launch.compounds) for (const name of compound.configurations) expect(names.has(name)).toBe(true);
  });
});
