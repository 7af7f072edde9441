/** What a command is, and what it gets for one run. Types only: every command file and the CLI share them. */
import type { Command } from 'commander';
import type { ApiClient, ClientOptions } from '../api/client.js';
import type { Context } from '../context.js';
import type { DeliveryInput } from '../input/delivery.js';
import type { Reporter } from '../output/reporter.js';
import type { Outcome } from '../result.js';

/** What a command gets for one run besides its flags. */
export interface World {
  ctx: Context;
  reporter: Reporter;
  /** --json: stdout carries the one result and nothing else. */
  json: boolean;
  /** Opens the run's API client; the CLI closes it when the run is over. */
  client(delivery: DeliveryInput, options: ClientOptions): ApiClient;
}

/** One invocation: the flags commander parsed, the positional arguments, and the words after `--` (if any). */
export interface Invocation<F> {
  flags: F;
  args: string[];
  wrapped: readonly string[] | undefined;
}

export interface Verb<F = Record<string, unknown>> {
  /** The commander Command: name, description, arguments, options and help (no action: the CLI adds it). */
  command(): Command;
  /** Whether it takes a command after `--` (`dora deployment` runs it, `dora doctor` judges it). */
  wraps?: boolean;
  run(invocation: Invocation<F>, world: World): Promise<Outcome>;
}
