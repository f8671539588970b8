/**
 * Resolves CloudFormation intrinsic functions in a template value to plain strings, with
 * placeholders standing in for what only a deployment knows (account, imported values,
 * attributes). Used to rebuild, from a synthesized template, exactly the text a container gets.
 */

/** Placeholder values; anything not listed resolves to a readable, unique stand-in. */
export const PLACEHOLDERS = {
  region: 'eu-west-1',
  accountId: '123456789012',
  partition: 'aws',
  urlSuffix: 'amazonaws.com',
  /** What `AWS::APS::Workspace.PrometheusEndpoint` returns (with its trailing slash). */
  prometheusEndpoint: 'https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-00000000-0000-0000-0000-000000000000/',
} as const;

const PSEUDO: Record<string, string> = {
  'AWS::Region': PLACEHOLDERS.region,
  'AWS::AccountId': PLACEHOLDERS.accountId,
  'AWS::Partition': PLACEHOLDERS.partition,
  'AWS::URLSuffix': PLACEHOLDERS.urlSuffix,
};

/** A DNS-safe stand-in derived from a logical ID or export name. */
function standIn(kind: string, name: string): string {
  return `${kind}-${name.replace(/[^A-Za-z0-9]/g, '').toLowerCase()}.placeholder.internal`;
}

/**
 * The string a CloudFormation value becomes at deploy, with placeholders for unknowns.
 * @throws on an intrinsic this resolver does not know (so a test cannot pass by accident)
 */
export function resolveCfnValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const [fn, args] = Object.entries(value as Record<string, any>)[0];
    switch (fn) {
      case 'Ref':
        return PSEUDO[args] ?? standIn('ref', args);
      case 'Fn::GetAtt':
        if (args[1] === 'PrometheusEndpoint') return PLACEHOLDERS.prometheusEndpoint;
        return standIn('att', `${args[0]}${args[1]}`);
      case 'Fn::ImportValue':
        return standIn('import', resolveCfnValue(args));
      case 'Fn::Join':
        return (args[1] as unknown[]).map(resolveCfnValue).join(args[0]);
      case 'Fn::Select':
        return resolveList(args[1])[Number(args[0])];
      default:
        break;
    }
  }
  throw new Error(`cannot resolve ${JSON.stringify(value)}`);
}

function resolveList(value: any): string[] {
  if (Array.isArray(value)) return value.map(resolveCfnValue);
  if (value['Fn::Split']) return resolveCfnValue(value['Fn::Split'][1]).split(value['Fn::Split'][0]);
  throw new Error(`cannot resolve list ${JSON.stringify(value)}`);
}
