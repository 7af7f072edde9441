/**
 * Every command, one line each, in the order `dora --help` lists them. A command's module is loaded only when a run
 * names it (or asks for help): building and parsing the code of every verb is a share of start-up no run needs.
 */
import type { Verb } from './verb.js';

export interface VerbEntry {
  /** `deployment`, or `deployment list` for a verb under a noun. */
  path: string;
  load(): Promise<Verb>;
}

const v = <F>(load: () => Promise<Verb<F>>) => load as () => Promise<Verb>;

export const VERBS: readonly VerbEntry[] = [
  { path: 'deployment', load: v(async () => (await import('./deployment.js')).deployment) },
  { path: 'deployment show', load: v(async () => (await import('./show.js')).deploymentShow) },
  { path: 'deployment list', load: v(async () => (await import('./list.js')).deploymentList) },
  { path: 'deployment update', load: v(async () => (await import('./deployment-update.js')).deploymentUpdate) },
  { path: 'deployment delete', load: v(async () => (await import('./delete.js')).deploymentDelete) },
  { path: 'incident', load: v(async () => (await import('./incident.js')).incident) },
  { path: 'incident resolve', load: v(async () => (await import('./incident-resolve.js')).incidentResolve) },
  { path: 'incident show', load: v(async () => (await import('./show.js')).incidentShow) },
  { path: 'incident list', load: v(async () => (await import('./list.js')).incidentList) },
  { path: 'incident delete', load: v(async () => (await import('./delete.js')).incidentDelete) },
  { path: 'import', load: v(async () => (await import('./import.js')).importVerb) },
  { path: 'metrics', load: v(async () => (await import('./metrics.js')).metrics) },
  { path: 'doctor', load: v(async () => (await import('./doctor.js')).doctor) },
];
