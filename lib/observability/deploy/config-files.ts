import { gzipSync } from 'node:zlib';

/**
 * How Vigil's generated configuration reaches the stock Prometheus, Alertmanager and Grafana
 * images without building an image of our own: each file travels in the task definition as an
 * environment variable, and a short POSIX shell entry point writes the files and then `exec`s
 * the image's own command (so the server stays PID 1 and receives SIGTERM).
 *
 * Files whose content is fixed at synth (rule files, dashboards) travel gzip+base64 encoded:
 * a task definition holds at most 64 KiB, and dashboards are large. Files that carry CDK tokens
 * (ARNs, endpoints, regions; resolved by CloudFormation) travel as plain text.
 *
 * The same description renders the ECS fields and, in tests, is run for real with `sh` to get
 * back exactly the bytes a task would write.
 */

/** One file written into the container at start. */
export interface DeliveredFile {
  /** Path relative to the config directory; may contain folders (`rules/slo.yml`). */
  readonly path: string;
  /** The file's text; may contain unresolved CDK tokens when `encoding` is `plain`. */
  readonly content: string;
  /** `gzip-base64` for token-free content (smaller), `plain` when the content carries tokens. */
  readonly encoding: 'plain' | 'gzip-base64';
}

/** What goes into a container definition to deliver a set of files. */
export interface FileDelivery {
  /** Entry point: `/bin/sh -c <script> write-config`; the image's command follows as `"$@"`. */
  readonly entryPoint: string[];
  /** Environment variables: the config directory and one variable per file. */
  readonly environment: Record<string, string>;
}

/** Name of the environment variable holding the directory the files are written to. */
export const CONFIG_DIR_VARIABLE = 'VIGIL_CONFIG_DIR';

/** The ECS task definition limit; deliveries above this fraction of it are refused at synth. */
const TASK_DEFINITION_LIMIT_BYTES = 64 * 1024;
const DELIVERY_BUDGET_BYTES = Math.floor(TASK_DEFINITION_LIMIT_BYTES * 0.75);

/**
 * Builds the entry point and environment that write `files` into `configDir` and then run the
 * container's command.
 *
 * @param configDir absolute directory, writable by the image's user
 * @param files the files; paths must be unique and relative
 * @throws when a path is absolute, climbs out of the directory or repeats, or when the
 *   encoded files would not fit in a task definition
 */
export function deliverFiles(configDir: string, files: readonly DeliveredFile[]): FileDelivery {
  if (!configDir.startsWith('/')) {
    throw new Error(`configDir must be absolute, got '${configDir}'; use e.g. '/etc/prometheus'`);
  }
  const seen = new Set<string>();
  const lines = ['set -eu', `mkdir -p "$${CONFIG_DIR_VARIABLE}"`, `cd "$${CONFIG_DIR_VARIABLE}"`];
  const environment: Record<string, string> = { [CONFIG_DIR_VARIABLE]: configDir };
  const folders = new Set<string>();
  let encodedBytes = 0;
  const writes: string[] = [];
  [...files].sort((a, b) => a.path.localeCompare(b.path)).forEach((file, index) => {
    if (!/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/.test(file.path) || file.path.split('/').some((part) => part === '..' || part === '.')) {
      throw new Error(`config file path '${file.path}' must be relative, inside the config directory, using letters, digits, '_', '.', '-'; rename the file`);
    }
    if (seen.has(file.path)) throw new Error(`config file path '${file.path}' appears twice; give each file its own name`);
    seen.add(file.path);
    if (file.path.includes('/')) folders.add(file.path.slice(0, file.path.lastIndexOf('/')));
    const variable = `VIGIL_CONFIG_${index}`;
    const value = file.encoding === 'plain' ? file.content : gzipSync(Buffer.from(file.content, 'utf8'), { level: 9 }).toString('base64');
    environment[variable] = value;
    encodedBytes += value.length;
    // printf '%s' keeps the bytes as they are: no escape processing, no added newline.
    writes.push(file.encoding === 'plain'
      ? `printf '%s' "$${variable}" > '${file.path}'`
      : `printf '%s' "$${variable}" | base64 -d | gunzip > '${file.path}'`);
  });
  if (encodedBytes > DELIVERY_BUDGET_BYTES) {
    throw new Error(`config files for ${configDir} take ${encodedBytes} bytes encoded, over the ${DELIVERY_BUDGET_BYTES}-byte budget `
      + `(a task definition holds ${TASK_DEFINITION_LIMIT_BYTES}); split dashboards or rule files, or ship them in an image`);
  }
  if (folders.size > 0) lines.push(`mkdir -p ${[...folders].sort().map((f) => `'${f}'`).join(' ')}`);
  lines.push(...writes, 'exec "$@"');
  return { entryPoint: ['/bin/sh', '-c', lines.join('\n'), 'write-config'], environment };
}
