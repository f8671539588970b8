import { explainAwsError } from '../../lib/verify/aws';

/** An SDK-style service error: a name, a message and the response metadata. */
function serviceError(name: string, message: string, httpStatusCode: number, attempts = 1) {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode, attempts } });
}

const TARGET = { region: 'eu-west-1' };

describe('explainAwsError', () => {
  test.each([
    ['expired token', serviceError('ExpiredToken', 'The security token included in the request is expired', 400), "AWS rejected the credentials (ExpiredToken: The security token included in the request is expired): refresh them (e.g. 'aws sso login') and retry"],
    ['throttling', serviceError('ThrottlingException', 'Rate exceeded', 400, 5), 'CloudWatch throttled the requests (ThrottlingException) after 5 attempts: wait a minute and retry, or raise AWS_MAX_ATTEMPTS'],
    // A 403 the SDK has no name for is still a permission problem.
    ['an unnamed 403', serviceError('UnknownError', 'Forbidden', 403), 'access denied (UnknownError): Forbidden — the caller needs cloudwatch:DescribeAlarms (and cloudwatch:SetAlarmState for --fire-drill)'],
    ['a missing alarm', serviceError('ResourceNotFound', 'Alarm production-x does not exist', 400), "CloudWatch has no such alarm in region 'eu-west-1' (ResourceNotFound): Alarm production-x does not exist — deploy the environment first or check --region"],
    ['a DNS failure', Object.assign(new Error('getaddrinfo EAI_AGAIN monitoring.eu-west-1.amazonaws.com'), { code: 'EAI_AGAIN', hostname: 'monitoring.eu-west-1.amazonaws.com' }), "cannot resolve the CloudWatch endpoint monitoring.eu-west-1.amazonaws.com for region 'eu-west-1' (EAI_AGAIN): check --region names a real AWS region and that this machine can reach AWS"],
    ['an unknown service error', serviceError('InternalFailure', 'We encountered an internal error.\nPlease try again.', 500, 3), 'AWS call failed (InternalFailure): We encountered an internal error.'],
    ['a thrown string', 'a thrown string', 'AWS call failed (Error): a thrown string'],
  ])('%s becomes one line naming the cause and the fix', (_label, error, line) => {
    const explained = explainAwsError(error, TARGET);
    expect(explained).toBe(line);
    expect(explained).not.toContain('\n');
  });
});
