/** Runs the real Prometheus tools (promtool, amtool) on generated files in a throwaway directory. */

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Exit status and output of one tool run. */
export interface ToolResult {
  readonly status: number | null;
  /** stdout and stderr together. */
  readonly output: string;
  readonly stdout: string;
}

/** Runs a command to completion with a bounded wait; output is stdout and stderr together. */
export function runTool(command: string, args: readonly string[], cwd: string, timeoutMs = 60_000): ToolResult {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: timeoutMs });
  if (result.error) throw new Error(`${command} could not run: ${result.error.message}`);
  return { status: result.status, output: `${result.stdout}${result.stderr}`, stdout: result.stdout };
}

/** Writes `files` (name → content) into a fresh temp dir, calls `body`, and removes the dir. */
export function withFiles<T>(files: Readonly<Record<string, string>>, body: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-obs-'));
  try {
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
    return body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
