/**
 * `dora doctor`: the deployment options → every check of src/doctor/ → one line each on stdout (or one JSON object)
 * → the exit code a send would get. It calls GET /api/v1/validate and, with an application key, a one-item
 * deployment list; it never sends an event, and never sends a key anywhere but the configured API.
 */
import { Command } from 'commander';
import { MIN_ATTEMPT_MS } from '../api/request.js';
import { DEFAULT_SITE } from '../api/site.js';
import type { Context } from '../context.js';
import { type Check, checksJson, exitCodeOf, renderChecks } from '../doctor/check.js';
import { type EventFacts, judgeEvent, judgeKeys, judgeSite, type SiteFacts } from '../doctor/configuration.js';
import { judgeCheckout, judgeCi, judgeGit } from '../doctor/git.js';
import { noProxyExempts } from '../doctor/no-proxy.js';
import {
  type CallOutcome,
  judgeApiKey,
  judgeAppKey,
  judgeClock,
  judgeLastDeployment,
  judgeNetwork,
  type Target,
} from '../doctor/remote.js';
import { judgeRuntime } from '../doctor/runtime.js';
import { DoraError, InterruptedError, ReportedFailure } from '../errors.js';
import { toJson } from '../events/json.js';
import { queryTerm, rfc3339 } from '../events/records.js';
import type { LocalGitFacts } from '../git/local.js';
import { type GitResolution, resolveGit } from '../git/resolve.js';
import { type DeliveryInput, deliveryInput, trimmed } from '../input/delivery.js';
import type { DeploymentOptions } from '../input/deployment.js';
import { commonFields, flagOrEnv, idField, serviceList, timeField } from '../input/event.js';
import { colourPainter, PLAIN, type Reporter, wantsColor } from '../output/reporter.js';
import { type Keys, type PlannedCall, perform, prepareCalls } from './call.js';
import { addDeploymentOptions } from './deployment.js';
import { gitInputs } from './git.js';
import { addDeliveryOptions } from './options.js';
import { listCall as recordsListCall } from './records.js';

/** How far back "the last deployment" is looked for. */
const LIST_DAYS = 90;

export function doctorCommand(run: (options: DeploymentOptions) => Promise<void>): Command {
  const command = new Command('doctor').description(
    'Check, without sending any event, that a deployment sent with these options would be recorded and counted.',
  );
  addDeploymentOptions(command);
  addDeliveryOptions(command, 'check only what needs no network (configuration, git, runtime)');
  return command
    .addHelpText(
      'after',
      `
Checks the site and keys, the API key (GET /api/v1/validate), the application key (a one-item deployment list,
and the service's last deployment), the network path, the clock against the server's, git and CI, and Node.js.
Exit 0 when an event would be sent and accepted (warnings do not fail); else 2 configuration, 3 rejected key,
5 unreachable.

Examples:
  $ dora doctor --service checkout --env prod
  $ dora doctor --service checkout --env prod --version 1.4.2 --json`,
    )
    .action(async (options: DeploymentOptions) => run(options));
}

export async function runDoctor(options: DeploymentOptions, ctx: Context, reporter: Reporter): Promise<void> {
  const { config } = ctx;
  let delivery: DeliveryInput | undefined;
  const site: SiteFacts = {
    site: trimmed(options.site) ?? config.site ?? DEFAULT_SITE,
    siteSource: options.site !== undefined ? '--site' : (config.sources.site ?? 'default'),
  };
  const apiUrlSource = options.apiUrl !== undefined ? '--api-url' : config.sources.apiUrl;
  if (apiUrlSource !== undefined && (options.apiUrl ?? config.apiUrl) !== undefined) site.apiUrlSource = apiUrlSource;
  try {
    delivery = deliveryInput(options, config);
    site.baseUrl = delivery.target.baseUrl;
    site.resolvedSite = delivery.target.site;
    if (delivery.target.unknownSite) site.unknownSite = delivery.target.unknownSite;
    if (delivery.target.noDora) site.noDora = true;
  } catch (error) {
    if (!(error instanceof DoraError) || error instanceof InterruptedError) throw error;
    site.problem = error.message;
  }

  // Git runs while the API answers: both are waits, neither needs the other.
  const gitWork = gitFacts(options, ctx);
  const serviceEnv = eventFacts(options, ctx);
  // Of several services, the first one's last deployment answers "did my last one land?" for the run.
  const firstService = serviceEnv.services?.values[0];
  const lookup =
    firstService === undefined
      ? undefined
      : { service: firstService, ...(serviceEnv.env ? { env: serviceEnv.env.value } : {}) };
  const remote = delivery && !options.dryRun ? await remoteFacts(lookup, delivery, ctx, reporter) : undefined;
  const git = await gitWork;
  if (ctx.signal.aborted) throw ctx.signal.reason;

  const target: Target = delivery
    ? {
        site: site.apiUrlSource ? delivery.target.baseUrl : delivery.target.site,
        host: new URL(delivery.target.baseUrl).host,
      }
    : { site: site.site, host: '?' };
  const proxy = delivery?.proxy;
  const exemptBy = proxy && delivery ? noProxyExempts(config.proxy.noProxy, delivery.target.baseUrl) : undefined;
  const checks: Check[] = [
    judgeSite(site),
    judgeKeys(config),
    judgeEvent(serviceEnv),
    judgeApiKey(remote?.validate, config.apiKey !== undefined, target),
    judgeAppKey(remote?.list, { api: config.apiKey !== undefined, app: config.appKey !== undefined }, target),
  ];
  if (remote?.list?.json !== undefined && lookup !== undefined)
    checks.push(judgeLastDeployment(remote.list.json, lookup, LIST_DAYS));
  checks.push(
    ...(site.problem === undefined
      ? [
          judgeNetwork(
            remote?.validate,
            { ...(proxy ? { proxy: proxy.display } : {}), ...(exemptBy ? { exemptBy } : {}) },
            target,
          ),
        ]
      : []),
    judgeClock(remote?.validate),
    judgeCi(git.resolution),
    judgeGit(git.resolution, options.skipGit === true, git.problem),
    judgeCheckout(git.local, git.resolution),
    judgeRuntime(ctx.nodeVersion, ctx.clock.wallMs()),
  );

  if (options.json) {
    reporter.result(toJson(checksJson(checks)));
  } else {
    const unicode = wantsColor(ctx.stdout, config);
    const paint = unicode ? await colourPainter() : PLAIN;
    reporter.result(renderChecks(checks, paint, unicode).join('\n'));
  }
  const code = exitCodeOf(checks);
  if (code !== 0) throw new ReportedFailure(code);
}

/** The event's own fields, checked as a send would check them; the first problem is reported instead. */
function eventFacts(options: DeploymentOptions, ctx: Context): EventFacts {
  const facts: EventFacts = {};
  try {
    const services = serviceList(options.service, ctx.config);
    const fields = commonFields(options, ctx.config);
    const now = ctx.nowNs();
    timeField(options.startedAt, '--started-at', now);
    timeField(options.finishedAt, '--finished-at', now);
    idField(options.id, ctx.newId);
    if (services.length > 0)
      facts.services = {
        values: services,
        from: options.service !== undefined ? '--service' : (ctx.config.sources.service ?? 'DD_SERVICE'),
      };
    const env = flagOrEnv(options.env, '--env', ctx.config, 'env');
    const version = flagOrEnv(options.version, '--version', ctx.config, 'version');
    if (fields.env !== undefined && env) facts.env = { value: fields.env, from: env.from };
    if (fields.version !== undefined && version) facts.version = { value: fields.version, from: version.from };
  } catch (error) {
    if (!(error instanceof DoraError) || error instanceof InterruptedError) throw error;
    facts.problem = error.message;
  }
  return facts;
}

interface GitFacts {
  resolution?: GitResolution;
  /** The checkout itself (shallow, HEAD), read once whether or not the resolution needed it. */
  local: LocalGitFacts;
  problem?: string;
}

async function gitFacts(options: DeploymentOptions, ctx: Context): Promise<GitFacts> {
  const reading = ctx.readLocalGit(ctx.cwd, ctx.signal);
  if (options.skipGit) return { local: await reading };
  try {
    const resolution = await resolveGit(gitInputs(options, ctx, () => reading));
    return { resolution, local: await reading };
  } catch (error) {
    if (!(error instanceof DoraError) || error instanceof InterruptedError) throw error;
    return { local: await reading, problem: error.message };
  }
}

/**
 * The two calls, through the same path as a send (src/commands/call.ts) so failures read the same. A transport
 * wrapper notes what every answer carried, refusals included: the status, the server's Date and the round trip.
 * Without an API key, validate still goes (with no key header at all): its refusal tells the network and the clock.
 */
async function remoteFacts(
  lookup: { service: string; env?: string } | undefined,
  delivery: DeliveryInput,
  ctx: Context,
  reporter: Reporter,
): Promise<{ validate: CallOutcome; list?: CallOutcome }> {
  const started = ctx.clock.monotonicMs();
  const validateCall: PlannedCall = {
    method: 'GET',
    path: '/api/v1/validate',
    action: 'read',
    noun: 'API key',
    title: 'the API key',
  };
  let keys: Keys = {};
  if (ctx.config.apiKey !== undefined) {
    try {
      keys = prepareCalls([validateCall], delivery, ctx, reporter);
    } catch (error) {
      // FIPS could not be turned on: the network checks would test a path a send cannot take.
      if (!(error instanceof DoraError) || error instanceof InterruptedError) throw error;
      return { validate: { error } };
    }
  }
  const validate = await observedCall(validateCall, keys, delivery, ctx, reporter);
  if (ctx.config.apiKey === undefined || ctx.config.appKey === undefined || validate.error !== undefined)
    return { validate };

  // The list gets what is left of the one deadline: doctor is bounded like a single send.
  const left = delivery.policy.deadlineMs - (ctx.clock.monotonicMs() - started);
  if (left < MIN_ATTEMPT_MS) return { validate };
  const now = BigInt(ctx.clock.wallMs()) * 1_000_000n;
  const query = lookup
    ? [queryTerm('service', lookup.service), ...(lookup.env ? [queryTerm('env', lookup.env)] : [])].join(' ')
    : undefined;
  const listCall = recordsListCall('deployment', {
    from: rfc3339(now - BigInt(LIST_DAYS) * 86_400_000_000_000n),
    // A minute ahead: a deployment stamped by a slightly fast clock still counts as the last one.
    to: rfc3339(now + 60_000_000_000n),
    limit: 1,
    ...(query ? { query } : {}),
  });
  const list = await observedCall(
    listCall,
    { apiKey: keys.apiKey, appKey: ctx.config.appKey },
    { ...delivery, policy: { ...delivery.policy, deadlineMs: left } },
    ctx,
    reporter,
  );
  return { validate, list };
}

async function observedCall(
  call: PlannedCall,
  keys: Keys,
  delivery: DeliveryInput,
  ctx: Context,
  reporter: Reporter,
): Promise<CallOutcome> {
  const seen: CallOutcome = {};
  const observing: Context = {
    ...ctx,
    createTransport: async (proxy) => {
      const closable = await ctx.createTransport(proxy);
      return {
        close: () => closable.close(),
        transport: async (url, init) => {
          const sent = ctx.clock.monotonicMs();
          const response = await closable.transport(url, init);
          seen.rttMs = ctx.clock.monotonicMs() - sent;
          seen.status = response.status;
          seen.localMs = ctx.clock.wallMs();
          const date = Date.parse(response.headers.get('date') ?? '');
          if (Number.isNaN(date)) delete seen.serverDateMs;
          else seen.serverDateMs = date;
          return response;
        },
      };
    },
  };
  try {
    const answer = await perform(call, keys, delivery, observing, reporter);
    seen.json = answer.json;
  } catch (error) {
    if (!(error instanceof DoraError) || error instanceof InterruptedError) throw error;
    seen.error = error;
  }
  return seen;
}
