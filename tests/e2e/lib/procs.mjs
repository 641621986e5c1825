// Browsers run in their own process group (detached = new session), so a
// crash is one SIGKILL of the whole group, and nothing else on the machine is
// touched. Every group we start is remembered and killed when this Node
// process exits, however it exits.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { waitUntil } from './wait.mjs';

const live = new Set();

function killAll() {
  for (const pgid of live) killGroup(pgid);
}
process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    killAll();
    process.exit(128 + ({ SIGINT: 2, SIGTERM: 15, SIGHUP: 1 })[signal]);
  });
}

/** Starts `cmd` as the leader of a new process group, stdout+stderr appended to logPath. */
export function spawnGroup(cmd, args, { logPath, env = process.env }) {
  const fd = openSync(logPath, 'a');
  // A file, not a pipe: the browser must never block or die on a full or closed pipe.
  const child = spawn(cmd, args, { detached: true, stdio: ['ignore', fd, fd], env });
  closeSync(fd);
  const pgid = child.pid;
  live.add(pgid);
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return { pgid, exited, hasExited: () => child.exitCode !== null || child.signalCode !== null };
}

export function killGroup(pgid) {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch (error) {
    if (error.code !== 'ESRCH') throw error;
  }
}

/** Pids (not zombies) whose process group is pgid, read from /proc. */
export function groupMembers(pgid) {
  const members = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // Fields after the ")" that closes the command name: state ppid pgrp ...
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z') members.push(Number(entry));
  }
  return members;
}

/** Waits until every process of the group is gone (the leader's exit alone is not enough:
 *  a surviving renderer or content process can still hold the profile). */
export async function waitGroupGone(proc, timeout = 15_000) {
  await proc.exited;
  await waitUntil(() => groupMembers(proc.pgid).length === 0, {
    timeout,
    interval: 100,
    what: `process group ${proc.pgid} to be gone`,
  });
  live.delete(proc.pgid);
}
