/** The settings form: reading, validating and restoring the tutorial's values. */

/** Everything a run depends on; the nets are rebuilt from it on Initialise. */
export interface Settings {
  batch: number;
  noiseStd: number;
  seed: number;
  baseLr: number;
  stepsize: number;
  gamma: number;
}

/** The tutorial's values (batch 64, base_lr -0.1, step policy 20 / 0.9, noise std 1). */
export const DEFAULTS: Readonly<Settings> = { batch: 64, noiseStd: 1, seed: 1701, baseLr: -0.1, stepsize: 20, gamma: 0.9 };

interface FieldRule {
  label: string;
  integer: boolean;
  min: number;
  max: number;
  /** When the minimum itself is not allowed (gamma > 0). */
  exclusiveMin?: boolean;
}

const RULES: Record<keyof Settings, FieldRule> = {
  batch: { label: 'Batch size', integer: true, min: 1, max: 4096 },
  noiseStd: { label: 'Noise std', integer: false, min: 0, max: 100 },
  seed: { label: 'Seed', integer: true, min: 0, max: 4294967295 },
  baseLr: { label: 'base_lr', integer: false, min: -10, max: 10 },
  stepsize: { label: 'stepsize', integer: true, min: 1, max: 100000 },
  gamma: { label: 'gamma', integer: false, min: 0, max: 1, exclusiveMin: true },
};

const FIELDS = Object.keys(RULES) as Array<keyof Settings>;

function input(form: HTMLFormElement, name: keyof Settings): HTMLInputElement {
  const el = form.elements.namedItem(name);
  if (!(el instanceof HTMLInputElement)) throw new Error(`demo: the settings form has no input named "${name}"`);
  return el;
}

function problem(rule: FieldRule, raw: string): string | null {
  if (raw.trim() === '') return `${rule.label} is empty`;
  const v = Number(raw);
  if (!Number.isFinite(v)) return `${rule.label} must be a number`;
  if (rule.integer && !Number.isInteger(v)) return `${rule.label} must be a whole number`;
  const low = rule.exclusiveMin ? v <= rule.min : v < rule.min;
  if (low || v > rule.max) return `${rule.label} must be ${rule.exclusiveMin ? 'above' : 'at least'} ${rule.min} and at most ${rule.max}`;
  return null;
}

/** The form's values, or the list of what is wrong (each bad field is marked aria-invalid). */
export function readSettings(form: HTMLFormElement): { settings: Settings } | { errors: string[] } {
  const errors: string[] = [];
  const values = {} as Settings;
  for (const name of FIELDS) {
    const el = input(form, name);
    const why = problem(RULES[name], el.value);
    el.setAttribute('aria-invalid', String(why !== null));
    if (why) errors.push(why);
    else values[name] = Number(el.value);
  }
  return errors.length ? { errors } : { settings: values };
}

/** Puts these values into the form. */
export function writeSettings(form: HTMLFormElement, settings: Readonly<Settings>): void {
  for (const name of FIELDS) {
    const el = input(form, name);
    el.value = String(settings[name]);
    el.setAttribute('aria-invalid', 'false');
  }
}

/** True when both describe the same run. */
export function sameSettings(a: Readonly<Settings>, b: Readonly<Settings>): boolean {
  return FIELDS.every((k) => a[k] === b[k]);
}

/** The learning-rate schedule: it can change mid-run (the train net is planned again). */
const LR_FIELDS: ReadonlyArray<keyof Settings> = ['baseLr', 'stepsize', 'gamma'];

/** True when both have the same learning-rate schedule. */
export function sameLearningRate(a: Readonly<Settings>, b: Readonly<Settings>): boolean {
  return LR_FIELDS.every((k) => a[k] === b[k]);
}

/** True when both make the same data from the same start (batch, noise, seed): only Initialise changes these. */
export function sameData(a: Readonly<Settings>, b: Readonly<Settings>): boolean {
  return FIELDS.every((k) => LR_FIELDS.includes(k) || a[k] === b[k]);
}
