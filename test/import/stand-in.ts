/**
 * What the command injects, for the engine's tests: the real record check (src/input/import.ts) and wire form
 * (src/import/wire.ts), and an in-process `send` to the rate-limited stand-in API that takes time on the test's clock.
 */
import { errorText } from '../../src/api/response.js';
import type { Clock } from '../../src/context.js';
import { toJson } from '../../src/events/json.js';
import type { PlannedRecord } from '../../src/import/plan.js';
import type { Send } from '../../src/import/scheduler.js';
import { preparedRecord } from '../../src/import/wire.js';
import type { ImportEvent } from '../../src/input/import.js';
import type { RateLimitedApi } from '../helpers/rate-limited-api.js';

export type TestEvent = ImportEvent;
export { recordCheck as standInValidate } from '../../src/input/import.js';

export function pathOf(record: PlannedRecord<ImportEvent>): string {
  return preparedRecord(record).path;
}

/** The wire body, as the command builds it. */
export function bodyOf(record: PlannedRecord<ImportEvent>): string {
  return toJson(preparedRecord(record).payload);
}

/** A send to the stand-in, in process: half the latency on the way there, half on the way back, on `clock`. */
export function standInSend(server: RateLimitedApi, clock: Clock, latencyMs = 10): Send<PlannedRecord<ImportEvent>> {
  return async (record, signal) => {
    await clock.sleep(latencyMs / 2, signal);
    const reply = server.answer({
      method: 'POST',
      path: pathOf(record),
      body: bodyOf(record),
      headers: { 'dd-api-key': 'test-key' },
    });
    await clock.sleep(latencyMs / 2, signal);
    if (typeof reply === 'string') throw new Error(`the connection was ${reply === 'stall' ? 'stalled' : 'dropped'}`);
    return { status: reply.status, headers: new Headers(reply.headers), message: errorText(reply.body ?? '') };
  };
}
