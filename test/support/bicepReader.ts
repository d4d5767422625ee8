/**
 * A small reader for the parts of infra/azure.bicep the tests compare with the bot: parameters, array
 * variables of settings (`{ name: 'X', value: ... }` / `{ name: 'X', secretRef: '...' }`, one per line),
 * the `env: concat(...)` of a resource, string arrays, and outputs. It understands only the forms the
 * template uses and throws on anything else inside what it reads, so the tests cannot pass on a template
 * they did not understand. Not a Bicep compiler: docs/deploy-azure.md says what is checked where.
 */

export interface BicepParam {
  name: string;
  type: string;
  /** The default as written ('UTC', 2, or an expression such as tenant().tenantId); undefined: none. */
  defaultValue?: string;
  allowed?: string[];
  secure: boolean;
}

export type SettingValue = { kind: 'literal'; text: string } | { kind: 'expression'; text: string } | { kind: 'secret'; secretName: string };

export interface Setting {
  name: string;
  value: SettingValue;
}

/** A condition of a conditional array variable: `param == 'value'`, or `empty(param)`. */
export type Condition = { kind: 'equals'; param: string; value: string } | { kind: 'empty'; param: string };

export interface SettingsVariable {
  name: string;
  /** Absent: always; otherwise the entries apply when the condition holds (`cond ? [entries] : []`) or not (`cond ? [] : [entries]`). */
  when?: { condition: Condition; holds: boolean };
  settings: Setting[];
}

export class BicepTemplate {
  constructor(readonly text: string) {}

  params(): BicepParam[] {
    const params: BicepParam[] = [];
    const lines = this.text.split('\n');
    let decorators: string[] = [];
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      if (line.startsWith('@')) {
        // A multi-line decorator (@allowed([...])) is read to its closing bracket.
        let decorator = line;
        while (count(decorator, '(') > count(decorator, ')')) decorator += '\n' + lines[++i];
        decorators.push(decorator);
        continue;
      }
      const param = /^param (\w+) (\w+)(?: = (.+))?$/.exec(line);
      if (param) {
        const allowed = decorators.find((d) => d.startsWith('@allowed('));
        params.push({
          name: param[1],
          type: param[2],
          ...(param[3] !== undefined ? { defaultValue: param[3].trim() } : {}),
          ...(allowed ? { allowed: [...allowed.matchAll(/'([^']*)'/g)].map((m) => m[1]) } : {}),
          secure: decorators.includes('@secure()'),
        });
      }
      if (!line.startsWith('@')) decorators = [];
    }
    return params;
  }

  /** `var name = [ ... ]` or `var name = cond ? [ ... ] : [ ... ]` holding setting entries. */
  settingsVariable(name: string): SettingsVariable {
    const start = this.text.indexOf(`\nvar ${name} = `);
    if (start < 0) throw new Error(`infra: no variable ${name}`);
    const declaration = this.text.slice(start + 1, this.lineEnd(start + 1, true));
    const conditional = /^var \w+ = (.+?) \? (\[[\s\S]*\]) : (\[[\s\S]*\])$/.exec(declaration);
    if (conditional) {
      const [, condition, whenTrue, whenFalse] = conditional;
      const trueSettings = parseSettings(whenTrue);
      const falseSettings = parseSettings(whenFalse);
      if (trueSettings.length && falseSettings.length) throw new Error(`infra: ${name} sets settings on both branches; the reader expects one empty branch`);
      return {
        name,
        when: { condition: parseCondition(condition), holds: trueSettings.length > 0 },
        settings: trueSettings.length ? trueSettings : falseSettings,
      };
    }
    const plain = /^var \w+ = (\[[\s\S]*\])$/.exec(declaration);
    if (!plain) throw new Error(`infra: ${name} is neither an array nor a conditional array of settings`);
    return { name, settings: parseSettings(plain[1]) };
  }

  /** The declaration of one resource (from `resource <symbol>` to its closing brace at column 0). */
  resource(symbol: string): string {
    const start = this.text.indexOf(`\nresource ${symbol} '`);
    if (start < 0) throw new Error(`infra: no resource ${symbol}`);
    const end = this.text.indexOf('\n}', start);
    return this.text.slice(start + 1, end + 2);
  }

  /** The variables a resource's `env: concat(a, b, ...)` joins. */
  envVariables(symbol: string): string[] {
    const env = /\benv: concat\(([^)]*)\)/.exec(this.resource(symbol));
    if (!env) throw new Error(`infra: resource ${symbol} has no env: concat(...)`);
    return env[1].split(',').map((v) => v.trim());
  }

  /** `key: [ 'a', 'b' ]` on one line inside a resource. */
  stringArray(symbol: string, key: string): string[] {
    const found = new RegExp(`\\b${key}: \\[([^\\]]*)\\]`).exec(this.resource(symbol));
    if (!found) throw new Error(`infra: resource ${symbol} has no ${key}: [...]`);
    return [...found[1].matchAll(/'([^']*)'/g)].map((m) => m[1]);
  }

  /** The value of `var name = 'text'`, or undefined where the variable is not a plain string. */
  stringVariable(name: string): string | undefined {
    return new RegExp(`^var ${name} = '([^'$]*)'$`, 'm').exec(this.text)?.[1];
  }

  outputs(): string[] {
    return [...this.text.matchAll(/^output (\w+) /gm)].map((m) => m[1]);
  }

  /** The end of a declaration starting at `from`: the line end where brackets opened on it are closed. */
  private lineEnd(from: number, brackets: boolean): number {
    let depth = 0;
    for (let i = from; i < this.text.length; i++) {
      const c = this.text[i];
      if (brackets && (c === '[' || c === '{' || c === '(')) depth++;
      if (brackets && (c === ']' || c === '}' || c === ')')) depth--;
      if (c === '\n' && depth === 0) return i;
    }
    return this.text.length;
  }
}

function count(text: string, c: string): number {
  return text.split(c).length - 1;
}

function parseCondition(text: string): Condition {
  const equals = /^(\w+) == '([^']*)'$/.exec(text.trim());
  if (equals) return { kind: 'equals', param: equals[1], value: equals[2] };
  const empty = /^empty\((\w+)\)$/.exec(text.trim());
  if (empty) return { kind: 'empty', param: empty[1] };
  throw new Error(`infra: condition "${text}" is not one the reader understands (param == 'value', empty(param))`);
}

/** `[ { name: 'X', value: ... } ... ]`: one entry per line (or one entry on the array's line), nothing else. */
function parseSettings(array: string): Setting[] {
  const inner = array.trim().replace(/^\[/, '').replace(/\]$/, '').trim();
  if (!inner) return [];
  return inner
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('//'))
    .map((line) => {
      const entry = /^\{ name: '([^']+)', (value|secretRef): (.+) \}$/.exec(line);
      if (!entry) throw new Error(`infra: "${line}" is not a setting entry ({ name: 'X', value: ... } or { name: 'X', secretRef: '...' })`);
      const [, name, kind, raw] = entry;
      if (kind === 'secretRef') return { name, value: { kind: 'secret', secretName: raw.replace(/^'|'$/g, '') } };
      const literal = /^'([^'$]*)'$/.exec(raw);
      return { name, value: literal ? { kind: 'literal', text: literal[1] } : { kind: 'expression', text: raw } };
    });
}

/** Whether a conditional variable's settings apply for the given parameter values. */
export function applies(variable: SettingsVariable, params: Record<string, string>): boolean {
  if (!variable.when) return true;
  const { condition, holds } = variable.when;
  const value = condition.kind === 'equals' ? params[condition.param] === condition.value : !params[condition.param];
  return value === holds;
}
