/**
 * A worker thread that runs CDK's bundled CloudFormation template validation, so its slow parts
 * overlap with the rest of the synth instead of following it:
 *
 * - the validator (`@aws/cloudformation-validate`, WebAssembly) builds its engine for about 1-2 s
 *   before it reads a template: the worker does that from the moment it starts;
 * - each template then takes 10-150 ms: the worker validates a stage's templates as soon as the
 *   stage is synthesized ({@link ValidationWorker.validateEarly}), while the next stage is built,
 *   and keeps each result under the template's exact content.
 *
 * When CDK asks for the report ({@link ValidationWorker.validate}), the worker runs aws-cdk-lib's
 * own `CloudFormationValidatePlugin.validate` over every template; templates it has already
 * seen with the same content come from its memo, the rest are validated then. The report is
 * CDK's, built by CDK's code. This module imports nothing from aws-cdk-lib at run time, so it can
 * start the worker before aws-cdk-lib loads in this thread.
 */
import { receiveMessageOnPort, MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { PolicyValidationPluginReport, PolicyValidationStack } from 'aws-cdk-lib';

/** Longest wait for the worker's report before the caller validates by itself. */
const WORKER_TIMEOUT_MS = 2 * 60_000;
/** The shared signal's slots: messages the worker has handled, and whether it has ended. */
const HANDLED = 0;
const GONE = 1;

/**
 * The worker's code (plain JavaScript: it runs as is, outside the bundle).
 *
 * Its engine is built for a resource-type set that contains every type, so it loads every
 * built-in rule and is never rebuilt for the types the templates turn out to hold (CDK rebuilds
 * its engine when a template brings a type outside the set it was built for). Extra rules cannot
 * change a report: a rule only looks at resources of its own types. `initializeEngine` and
 * `engine` are aws-cdk-lib internals; without them the worker still validates, only later and
 * without the memo (a test pins that both are used).
 */
const WORKER_SOURCE = `
const { createHash } = require('node:crypto');
const { workerData } = require('node:worker_threads');
const { port, signal } = workerData;
const handled = () => { Atomics.add(signal, ${HANDLED}, 1); Atomics.notify(signal, ${HANDLED}); };
// A worker that ends for any reason wakes the waiting thread, which then validates by itself.
process.on('exit', () => { Atomics.store(signal, ${GONE}, 1); Atomics.notify(signal, ${HANDLED}); });

let plugin;
let setupError;
let memoHits = 0;
try {
  const { CloudFormationValidatePlugin } = require(workerData.cdkLib);
  plugin = new CloudFormationValidatePlugin();
  class EveryType extends Set { has() { return true; } }
  plugin.initializeEngine(new EveryType());
  const engine = plugin.engine;
  const validateTemplate = engine.validateTemplate.bind(engine);
  const memo = new Map();
  engine.validateTemplate = (template, options) => {
    const key = createHash('sha256').update(template.name + '\\0' + JSON.stringify(options) + '\\0').update(template.content).digest('hex');
    let report = memo.get(key);
    if (report === undefined) {
      report = validateTemplate(template, options);
      memo.set(key, report);
    } else {
      memoHits++;
    }
    return report;
  };
} catch (error) {
  if (plugin === undefined) setupError = error;
}

const validate = (stackTemplates) =>
  plugin.validate({ templatePaths: stackTemplates.map((s) => s.templatePath), stackTemplates });

port.on('message', ({ kind, stackTemplates }) => {
  if (kind === 'early') {
    // Only fills the memo: whatever goes wrong here happens again, and is reported, in 'validate'.
    if (setupError === undefined) try { validate(stackTemplates); } catch {}
    handled();
    return;
  }
  try {
    if (setupError !== undefined) throw setupError;
    memoHits = 0;
    const report = validate(stackTemplates);
    port.postMessage({ report, memoHits });
  } catch (error) {
    port.postMessage({ error: String((error && error.stack) || error) });
  } finally {
    handled();
  }
});
`;

/** What the worker answers to {@link ValidationWorker.validate}. */
export interface WorkerValidation {
  /** CDK's report over every template asked for. */
  readonly report: PolicyValidationPluginReport;
  /** How many of those templates the worker had already validated, with the same content. */
  readonly memoHits: number;
}

/** The worker, seen from the thread that started it. */
export class ValidationWorker {
  /** Starts the worker; `undefined` when no worker can be started here. */
  static start(): ValidationWorker | undefined {
    try {
      return new ValidationWorker();
    } catch {
      return undefined;
    }
  }

  private worker: Worker | undefined;
  private readonly port: MessagePort;
  private readonly signal = new Int32Array(new SharedArrayBuffer(8));
  /** Messages posted to the worker so far. */
  private sent = 0;

  private constructor() {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.port.unref();
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { cdkLib: require.resolve('aws-cdk-lib'), port: port2, signal: this.signal },
      transferList: [port2],
    });
    // A process that fails before synthesis must still exit: the worker never holds it open.
    this.worker.unref();
    this.worker.on('error', () => this.stop());
  }

  /** Has the worker validate these templates now, ahead of {@link validate}; returns at once. */
  validateEarly(stackTemplates: readonly PolicyValidationStack[]): void {
    this.post({ kind: 'early', stackTemplates: plainTemplates(stackTemplates) });
  }

  /**
   * Blocks until the worker has handled everything posted so far (or has ended, or the timeout
   * passed); `true` when it has. {@link validate} uses it; tests use it to know that early
   * results are in before they change a template.
   */
  waitUntilIdle(timeoutMs = WORKER_TIMEOUT_MS): boolean {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const handled = Atomics.load(this.signal, HANDLED);
      if (handled >= this.sent) return true;
      const left = deadline - Date.now();
      if (Atomics.load(this.signal, GONE) === 1 || left <= 0) return false;
      // Returns at once when the count moved since it was read; the worker also wakes it as it ends.
      Atomics.wait(this.signal, HANDLED, handled, left);
    }
  }

  /**
   * CDK's validation report over these templates, waiting for the worker; `undefined` when the
   * worker is gone, failed or timed out (the caller then validates by itself). Stops the worker.
   */
  validate(stackTemplates: readonly PolicyValidationStack[]): WorkerValidation | undefined {
    if (this.worker === undefined) return undefined;
    this.post({ kind: 'validate', stackTemplates: plainTemplates(stackTemplates) });
    const message = this.waitUntilIdle() ? (receiveMessageOnPort(this.port)?.message as Partial<WorkerValidation> | undefined) : undefined;
    this.stop();
    return message?.report !== undefined ? { report: message.report, memoHits: message.memoHits ?? 0 } : undefined;
  }

  private post(message: { kind: 'early' | 'validate'; stackTemplates: PolicyValidationStack[] }): void {
    if (this.worker === undefined) return;
    this.port.postMessage(message);
    this.sent++;
  }

  /** Ends the worker (idempotent). */
  stop(): void {
    const worker = this.worker;
    this.worker = undefined;
    void worker?.terminate();
  }
}

/** The fields CloudFormation validation reads, as plain data for the worker. */
function plainTemplates(stackTemplates: readonly PolicyValidationStack[]): PolicyValidationStack[] {
  return stackTemplates.map(({ stackConstructPath, templatePath, accountId, region }) => ({ stackConstructPath, templatePath, accountId, region }));
}
