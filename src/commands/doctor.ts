/**
 * `dora doctor`: the deployment's own flags → the very input step a send runs (so it refuses what a send refuses,
 * `--rollback-of` and `-- <command>` included, judged without running anything) → every check of src/doctor/ → one
 * line each on stdout (or one JSON object) → the exit code a send would get. It calls GET /api/v1/validate and, with
 * an application key, a one-item deployment list; it never sends an event, and never a key anywhere but the API.
 */
import { Command } from 'commander';
import { listCall } from '../api/calls.js';
import type { AnswerSeen, PlannedCall } from '../api/client.js';
import { MIN_ATTEMPT_MS } from '../api/request.js';
import { DEFAULT_SITE } from '../api/site.js';
import { noProxyExempts, proxyFor } from '../api/transports/no-proxy.js';
import { type Check, checksJson, exitCodeOf, renderChecks } from '../doctor/check.js';
import { type EventFacts, judgeEvent, judgeKeys, judgeSite, type SiteFacts } from '../doctor/configuration.js';
import { judgeCheckout, judgeCi, judgeGit } from '../doctor/git.js';
import {
  type CallOutcome,
  judgeApiKey,
  judgeAppKey,
  judgeClock,
  judgeLastDeployment,
  judgeNetwork,
  type Skipped,
  type Target,
} from '../doctor/remote.js';
import { judgeRuntime } from '../doctor/runtime.js';
import { type DoraError, InterruptedError, isDoraError } from '../errors.js';
import { searchQuery } from '../events/records.js';
import type { LocalGitFacts } from '../git/local.js';
import type { GitResolution } from '../git/resolve.js';
import { type DeliveryInput, deliveryInput, withKeys } from '../input/delivery.js';
import { type DeploymentEvent, deploymentEvent } from '../input/deployment.js';
import { gitOf, type InputSources } from '../input/event.js';
import { addDeliveryFlags, addDeploymentFlags, addOutputFlags, type DeploymentFlags } from '../input/flags.js';
import { flagOrEnv, trimmed } from '../input/values.js';
import { escapeControls } from '../output/redact.js';
import { colourPainter, PLAIN, wantsColor } from '../output/reporter.js';
import { apiInstant } from '../time.js';
import type { Verb, World } from './verb.js';

/** How far back "the last deployment" is looked for. */
const LIST_DAYS = 90n;

export const doctor: Verb<DeploymentFlags> = {
  wraps: true,
  command() {
    const command = new Command('doctor')
      .usage('[options] [-- <deploy command…>]')
      .description(
        'Check, without sending any event, that a deployment sent with these options would be recorded and counted.',
      );
    addDeploymentFlags(command);
    addOutputFlags(command, 'check only what needs no network (configuration, git, runtime)');
    addDeliveryFlags(command);
    return command.addHelpText(
      'after',
      `
Checks the site and keys, the event exactly as dora deployment would build it, the API key (GET /api/v1/validate),
the application key (a one-item deployment list, and the service's last deployment), the network path, the clock
against the server's, git and CI, and Node.js. The same line as dora deployment works, -- <command> included (it is
judged, never run). Exit 0 when an event would be sent and accepted (warnings do not fail); else 2 configuration,
3 rejected key, 4 not the API dora expects at that address, 5 unreachable.

Examples:
  $ dora doctor --service checkout --env prod
  $ dora doctor --service checkout --env prod --version 1.4.2 --json`,
    );
  },

  async run({ flags, wrapped }, world) {
    const { ctx } = world;
    const { config } = ctx;
    const site: SiteFacts = {
      site: trimmed(flags.site) ?? config.site ?? DEFAULT_SITE,
      siteSource: flags.site !== undefined ? '--site' : (config.sources.site ?? 'default'),
    };
    const apiUrlSource = flags.apiUrl !== undefined ? '--api-url' : config.sources.apiUrl;
    if (apiUrlSource !== undefined && (flags.apiUrl ?? config.apiUrl) !== undefined) site.apiUrlSource = apiUrlSource;
    let delivery: DeliveryInput | undefined;
    try {
      delivery = withKeys(deliveryInput(flags, config), { apiKey: 'optional' }, config, false);
      site.baseUrl = delivery.target.baseUrl;
      site.resolvedSite = delivery.target.site;
      site.unknownSite = delivery.target.unknownSite;
      site.noDora = delivery.target.noDora;
    } catch (error) {
      site.problem = expected(error).message;
    }

    // The checkout is read once, for the event's git facts and for the checkout check; the API is asked meanwhile.
    const local = ctx.readLocalGit(ctx.cwd, ctx.signal);
    const sources: InputSources = { ...ctx, readLocalGit: () => local };
    // A deploy that has not started yet has no --started-at: judge it as starting now, as a wrapped one would.
    const startedAt = flags.startedAt ?? (wrapped === undefined ? 'now' : undefined);
    const eventWork = judged(deploymentEvent({ ...flags, startedAt, dryRun: true }, wrapped, sources));
    const facts = eventFacts(flags, world);
    const firstService = facts.services?.values[0];
    const lookup = firstService === undefined ? undefined : { service: firstService, env: facts.env?.value };
    const remote = delivery && flags.dryRun !== true ? await remoteFacts(lookup, delivery, world) : undefined;
    const skipped: Skipped =
      flags.dryRun === true
        ? { skipped: 'no network in a dry run', fix: 'Run without --dry-run to check it.' }
        : { skipped: 'the site settings are unusable', fix: 'Fix the site check first.' };
    const event = await eventWork;
    if ('problem' in event) facts.problem = event.problem;
    const git = await gitFacts(event, flags, sources);
    if (ctx.signal.aborted) throw ctx.signal.reason;

    const target: Target = delivery
      ? {
          site: site.apiUrlSource ? delivery.target.baseUrl : delivery.target.site,
          host: new URL(delivery.target.baseUrl).host,
        }
      : { site: site.site, host: '?' };
    // The proxy configured for the target's scheme, and the NO_PROXY entry that takes the target past it, if any.
    const configured = delivery && proxyFor(delivery.target.baseUrl, { ...config.proxy, noProxy: undefined });
    const exemptBy = configured && delivery ? noProxyExempts(config.proxy.noProxy, delivery.target.baseUrl) : undefined;
    const proxy = configured;
    const appKeyNeeded = 'input' in event && event.input.remediates !== undefined;
    const checks: Check[] = [
      judgeSite(site),
      judgeKeys(config, appKeyNeeded),
      judgeEvent(facts),
      judgeApiKey(remote?.validate ?? skipped, config.apiKey !== undefined, target),
      judgeAppKey(
        remote
          ? (remote.list ?? { skipped: 'the API key was not confirmed', fix: 'Fix the API key check first.' })
          : skipped,
        { api: config.apiKey !== undefined, app: config.appKey !== undefined },
        target,
        appKeyNeeded,
      ),
    ];
    if (remote?.list?.json !== undefined && lookup !== undefined) {
      checks.push(judgeLastDeployment(remote.list.json, lookup, Number(LIST_DAYS)));
    }
    if (site.problem === undefined)
      checks.push(judgeNetwork(remote?.validate ?? skipped, { proxy: proxy?.display, exemptBy }, target));
    checks.push(
      judgeClock(remote?.validate),
      judgeCi(git.resolution),
      judgeGit(git.resolution, flags.skipGit === true, git.problem),
      judgeCheckout(await local, git.resolution),
      judgeRuntime(ctx.nodeVersion, ctx.clock.wallMs()),
    );

    const code = exitCodeOf(checks);
    // Colours and marks at a colour terminal: the CLI then only masks secrets, so what came from outside (values in
    // the details) is escaped here, before the colours go on.
    const unicode = wantsColor(ctx.stdout, config);
    const escaped = checks.map((check) => ({
      ...check,
      detail: escapeControls(check.detail),
      fix: check.fix === undefined ? undefined : escapeControls(check.fix),
    }));
    const text = renderChecks(escaped, unicode ? colourPainter() : PLAIN, unicode).join('\n');
    return { result: { ...checksJson(checks), exit_code: code }, text, styled: unicode };
  },
};

/** A DoraError the checks report; anything else (a bug, an interruption) is not theirs to judge. */
function expected(error: unknown): DoraError {
  if (!isDoraError(error) || error instanceof InterruptedError) throw error;
  return error;
}

async function judged(work: Promise<DeploymentEvent>): Promise<{ input: DeploymentEvent } | { problem: string }> {
  try {
    return { input: await work };
  } catch (error) {
    return { problem: expected(error).message };
  }
}

/** The services, env and version as given, and where each came from. */
function eventFacts(flags: DeploymentFlags, world: World): EventFacts {
  const { config } = world.ctx;
  const facts: EventFacts = {};
  const services = flags.service ?? (config.service !== undefined ? [config.service] : []);
  if (services.length > 0) {
    facts.services = {
      values: [...new Set(services.map((service) => service.trim()))],
      from: flags.service !== undefined ? '--service' : (config.sources.service ?? 'DD_SERVICE'),
    };
  }
  facts.env = flagOrEnv(flags.env, '--env', config, 'env');
  facts.version = flagOrEnv(flags.version, '--version', config, 'version');
  return facts;
}

/** The event's git facts; when the event step stopped before git, git is asked on its own. */
async function gitFacts(
  event: { input: DeploymentEvent } | { problem: string },
  flags: DeploymentFlags,
  sources: InputSources,
): Promise<{ resolution?: GitResolution | undefined; problem?: string | undefined }> {
  if (flags.skipGit) return {};
  if ('input' in event) return { resolution: event.input.git?.resolution };
  try {
    return { resolution: (await gitOf(flags, sources)).resolution };
  } catch (error) {
    return { problem: expected(error).message };
  }
}

/**
 * The two calls, through the one client so failures read as a send's would, with a hook that notes what every answer
 * carried, refusals included: the status, the server's Date and the round trip. Without an API key, validate still
 * goes (with no key header): its refusal tells the network and the clock.
 */
async function remoteFacts(
  lookup: { service: string; env?: string | undefined } | undefined,
  delivery: DeliveryInput,
  world: World,
): Promise<{ validate: CallOutcome; list?: CallOutcome }> {
  const { ctx } = world;
  const started = ctx.clock.monotonicMs();
  const observe = async (call: PlannedCall, policy = delivery.policy): Promise<CallOutcome> => {
    const last: { seen?: AnswerSeen } = {};
    const outcome: CallOutcome = {};
    try {
      const client = world.client(
        { ...delivery, policy },
        { dryRun: false, onAnswer: (answer) => (last.seen = answer) },
      );
      outcome.json = (await client.call(call)).json;
    } catch (error) {
      outcome.error = expected(error);
    }
    const { seen } = last;
    if (seen) {
      outcome.status = seen.status;
      outcome.rttMs = seen.rttMs;
      outcome.localMs = seen.localMs;
      const date = Date.parse(seen.date ?? '');
      if (!Number.isNaN(date)) outcome.serverDateMs = date;
    }
    return outcome;
  };
  const validateCall: PlannedCall = {
    method: 'GET',
    path: '/api/v1/validate',
    action: 'read',
    noun: 'API key',
    title: 'the API key',
  };
  const validate = await observe(validateCall);
  if (ctx.config.apiKey === undefined || ctx.config.appKey === undefined || validate.error !== undefined) {
    return { validate };
  }
  // The list gets what is left of the one deadline: doctor is bounded like a single send.
  const left = delivery.policy.deadlineMs - (ctx.clock.monotonicMs() - started);
  if (left < MIN_ATTEMPT_MS) return { validate };
  const now = BigInt(ctx.clock.wallMs()) * 1_000_000n;
  const call = listCall('deployment', {
    from: apiInstant(now - LIST_DAYS * 86_400_000_000_000n),
    // A minute ahead: a deployment stamped by a slightly fast clock still counts as the last one.
    to: apiInstant(now + 60_000_000_000n),
    limit: 1,
    query: lookup ? searchQuery({ service: lookup.service, env: lookup.env }) : undefined,
  });
  const list = await observe(call, { ...delivery.policy, deadlineMs: left });
  return { validate, list };
}

export type { LocalGitFacts };
