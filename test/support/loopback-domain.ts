import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ROLE_MAPPING_HANDLER_DIR } from '../../lib/constructs/opensearch-role-mapping';

/** What CloudFormation's response URL received from the handler. */
export interface CfnResponse { Status: string; Reason: string; PhysicalResourceId: string; RequestId: string }

/** One request the handler sent to the domain. */
export interface Recorded { method: string; path: string; headers: http.IncomingHttpHeaders; body: string }

/** The answer the domain gives a request. */
export interface DomainAnswer { status: number; body?: unknown }

export const TEST_CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token' };

/** The handler is plain JS shipped as the Lambda asset; these are the parts the tests drive. */
export const roleMappingHandler = require(ROLE_MAPPING_HANDLER_DIR) as {
  handler: (event: Record<string, unknown>, context: unknown, overrides: Record<string, unknown>) => Promise<void>;
  signRequest: (req: { method: string; url: URL; body: string; region: string; credentials: typeof TEST_CREDENTIALS; now: Date }) => Record<string, string>;
};

/**
 * A loopback server standing in for an OpenSearch domain and for CloudFormation's response URL:
 * records every domain request and answers it with what `answer` returns.
 */
export async function loopbackDomain(answer: (request: Recorded) => DomainAnswer) {
  const requests: Recorded[] = [];
  const responses: CfnResponse[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (req.url === '/cfn-response') {
        responses.push(JSON.parse(body));
        res.end();
        return;
      }
      const recorded = { method: req.method!, path: req.url!, headers: req.headers, body };
      requests.push(recorded);
      const { status, body: payload } = answer(recorded);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload ?? {}));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl,
    requests,
    responses,
    /** Runs the handler on `event` against this domain, with test credentials. */
    run: (event: Record<string, unknown>) => roleMappingHandler.handler(event, { logStreamName: 'stream' }, { baseUrl, region: 'eu-west-1', credentials: TEST_CREDENTIALS }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A custom-resource event whose response URL is `domain`'s. */
export function customResourceEvent(domain: { baseUrl: string }, requestType: string, resourceType: string,
  properties: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    RequestType: requestType,
    ResourceType: resourceType,
    ResponseURL: `${domain.baseUrl}/cfn-response`,
    StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/Services/1',
    RequestId: 'req-1',
    LogicalResourceId: 'Resource',
    ResourceProperties: { ServiceToken: 'x', Endpoint: 'vpc-x.es.amazonaws.com', Region: 'eu-west-1', ...properties },
    ...extra,
  };
}
