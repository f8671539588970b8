import { stringify } from 'yaml';

/**
 * YAML text for a config object. Lines are never folded: a folded CDK token (`${Token[...]}`)
 * would no longer resolve, and a folded ARN would change meaning.
 */
export function toYaml(document: unknown): string {
  return stringify(document, { lineWidth: 0, minContentWidth: 0 });
}
