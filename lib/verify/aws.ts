/**
 * The AWS layer of `vigil verify`: the few CloudWatch and STS calls it makes, and the translation
 * of SDK failures into one line an operator can act on.
 */
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  SetAlarmStateCommand,
  paginateDescribeAlarms,
  type CompositeAlarm,
  type MetricAlarm,
} from '@aws-sdk/client-cloudwatch';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { DeployedAlarms } from './compare';

/** Where the CLI talks to AWS; both come from flags, otherwise the SDK's usual chain decides. */
export interface AwsTarget {
  readonly region?: string;
  readonly profile?: string;
}

/** How long one HTTP attempt may take; the SDK retries a timed-out attempt like a network error. */
export interface HttpTimeouts {
  readonly connectionTimeoutMs: number;
  readonly requestTimeoutMs: number;
}

/**
 * Without these the SDK waits for ever on an endpoint that accepts and never answers (its request
 * timeout only logs a warning unless told to throw), and a command that hangs is worse than one
 * that fails.
 */
export const DEFAULT_TIMEOUTS: HttpTimeouts = { connectionTimeoutMs: 5_000, requestTimeoutMs: 30_000 };

function requestHandler(timeouts: HttpTimeouts) {
  return { connectionTimeout: timeouts.connectionTimeoutMs, requestTimeout: timeouts.requestTimeoutMs, throwOnRequestTimeout: true };
}

/**
 * The CloudWatch client the CLI uses: flags first, then the SDK's own chain (AWS_REGION,
 * AWS_PROFILE, shared config, SSO, instance roles; AWS_ENDPOINT_URL_CLOUDWATCH for endpoints).
 */
export function cloudWatchClientFor(target: AwsTarget, timeouts: HttpTimeouts = DEFAULT_TIMEOUTS): CloudWatchClient {
  return new CloudWatchClient({ region: target.region, profile: target.profile, requestHandler: requestHandler(timeouts) });
}

/** The STS client for the same target, used only to name the caller in a drill's reason. */
export function stsClientFor(target: AwsTarget, timeouts: HttpTimeouts = DEFAULT_TIMEOUTS): STSClient {
  return new STSClient({ region: target.region, profile: target.profile, requestHandler: requestHandler(timeouts) });
}

/** DescribeAlarms' largest page; fewer round trips for big environments. */
const PAGE_SIZE = 100;

/**
 * Every metric and composite alarm whose name starts with `prefix`, across all pages.
 * DescribeAlarms returns metric alarms only unless AlarmTypes asks for composites too.
 */
export async function listAlarmsByPrefix(client: CloudWatchClient, prefix: string): Promise<DeployedAlarms> {
  const metricAlarms: MetricAlarm[] = [];
  const compositeAlarms: CompositeAlarm[] = [];
  const pages = paginateDescribeAlarms(
    { client, pageSize: PAGE_SIZE },
    { AlarmNamePrefix: prefix, AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] },
  );
  for await (const page of pages) {
    metricAlarms.push(...(page.MetricAlarms ?? []));
    compositeAlarms.push(...(page.CompositeAlarms ?? []));
  }
  return { metricAlarms, compositeAlarms };
}

/** One alarm by exact name (metric or composite), or undefined when the account has none. */
export async function findAlarm(
  client: CloudWatchClient,
  alarmName: string,
): Promise<{ kind: 'metric'; alarm: MetricAlarm } | { kind: 'composite'; alarm: CompositeAlarm } | undefined> {
  const out = await client.send(
    new DescribeAlarmsCommand({ AlarmNames: [alarmName], AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] }),
  );
  const metric = out.MetricAlarms?.[0];
  if (metric) return { kind: 'metric', alarm: metric };
  const composite = out.CompositeAlarms?.[0];
  return composite ? { kind: 'composite', alarm: composite } : undefined;
}

/** Sets an alarm to ALARM for a drill; CloudWatch then runs the alarm's ALARM actions. */
export async function setAlarmToAlarm(client: CloudWatchClient, alarmName: string, reason: string): Promise<void> {
  await client.send(new SetAlarmStateCommand({ AlarmName: alarmName, StateValue: 'ALARM', StateReason: reason }));
}

/** The ARN of whoever runs the CLI (needs no IAM permission), so a drill's reason names them. */
export async function callerArn(client: STSClient): Promise<string> {
  const out = await client.send(new GetCallerIdentityCommand({}));
  return out.Arn ?? 'an unknown caller';
}

/** The region the client will call, after flags, environment and profile were applied. */
export async function resolvedRegion(client: CloudWatchClient): Promise<string> {
  return client.config.region();
}

const THROTTLING = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded']);
const ACCESS_DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'UnauthorizedAccess']);
const BAD_CREDENTIALS = new Set([
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'InvalidSignatureException',
  'ExpiredToken',
  'ExpiredTokenException',
]);
const UNRESOLVABLE_HOST = new Set(['ENOTFOUND', 'EAI_AGAIN']);

interface SdkErrorShape {
  name?: string;
  message?: string;
  code?: string;
  hostname?: string;
  $metadata?: { attempts?: number; httpStatusCode?: number };
}

/**
 * One line that says what went wrong talking to AWS and what to do about it.
 * The SDK has already retried what it retries (throttling, network blips) when this runs.
 */
export function explainAwsError(error: unknown, target: AwsTarget): string {
  const e = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as SdkErrorShape;
  const name = e.name ?? 'Error';
  const message = firstLine(e.message ?? '');
  const region = target.region ?? 'the default region';

  if (name === 'CredentialsProviderError') {
    const where = target.profile ? `for profile '${target.profile}'` : 'from the environment, shared config or instance role';
    return `no AWS credentials ${where}: run 'aws configure' or 'aws sso login', set AWS_PROFILE, or pass --profile`;
  }
  if (BAD_CREDENTIALS.has(name)) {
    return `AWS rejected the credentials (${name}: ${message}): refresh them (e.g. 'aws sso login') and retry`;
  }
  if (ACCESS_DENIED.has(name) || e.$metadata?.httpStatusCode === 403) {
    return `access denied (${name}): ${message} — the caller needs cloudwatch:DescribeAlarms (and cloudwatch:SetAlarmState for --fire-drill)`;
  }
  if (THROTTLING.has(name)) {
    const attempts = e.$metadata?.attempts;
    return `CloudWatch throttled the requests (${name}) after ${attempts ?? 'several'} attempts: wait a minute and retry, or raise AWS_MAX_ATTEMPTS`;
  }
  // The code is a property of Node's DNS error; when the SDK had to re-wrap the error (an Error
  // from another realm, as under jest) only the message keeps it, so read both.
  const dns = /getaddrinfo (ENOTFOUND|EAI_AGAIN) (\S+)/.exec(message);
  const dnsCode = e.code && UNRESOLVABLE_HOST.has(e.code) ? e.code : dns?.[1];
  if (dnsCode) {
    const hostname = e.hostname ?? dns?.[2];
    const host = hostname ? ` ${hostname}` : '';
    return `cannot resolve the CloudWatch endpoint${host} for region '${region}' (${dnsCode}): check --region names a real AWS region and that this machine can reach AWS`;
  }
  if (name === 'TimeoutError' || e.code === 'ETIMEDOUT') {
    return `no answer from the AWS endpoint for region '${region}' after ${e.$metadata?.attempts ?? 'several'} attempts (${name}): check the network, proxy or VPC endpoint, then retry`;
  }
  if (message === 'Region is missing') {
    return `no AWS region: pass --region (e.g. --region eu-west-1), set AWS_REGION, or set a region in the profile`;
  }
  if (message.startsWith('Region not accepted') || message.startsWith('Invalid region')) {
    return `invalid region '${target.region ?? ''}': ${message} — use a region code such as eu-west-1`;
  }
  if (name === 'ResourceNotFound' || name === 'ResourceNotFoundException') {
    return `CloudWatch has no such alarm in region '${region}' (${name}): ${message} — deploy the environment first or check --region`;
  }
  return `AWS call failed (${name}): ${message}`;
}

/** The first line of a message, trimmed: SDK and validation messages can run over several. */
export function firstLine(text: string): string {
  return text.split('\n')[0]?.trim() ?? '';
}
