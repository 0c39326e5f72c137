import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/**
 * Hosts of their own on one machine: Linux network namespaces joined by veth links to a switch (a
 * bridge in a namespace of its own, so the host's firewall plays no part), and the calling process
 * on the switch from the root namespace. Used by the network test (test/network/namespaces.test.ts)
 * and the 27-vs-5 bench (bench/hosts.ts). Needs root and `ip netns`.
 */

/** One end of the switch: an address, and the veth pair whose `inner` end is the host's eth0 (or the client's link) and `outer` end is on the bridge. */
export interface SwitchPort {
  ip: string;
  inner: string;
  outer: string;
}

export interface SwitchTopology {
  /** The switch's namespace (bridge br0). */
  switch: string;
  /** Each host: its namespace and its port. */
  hosts: Array<SwitchPort & { ns: string }>;
  /** The calling process's own link (root namespace). */
  client: SwitchPort;
}

export const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });
/** The command prefix that runs a program inside namespace `ns`. */
export const inNs = (ns: string) => ['ip', 'netns', 'exec', ns];

/** Why namespaces cannot be built here (not Linux, not root, `ip netns` failing or missing), or undefined when they can. */
export function namespacesUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not root (network namespaces need CAP_NET_ADMIN; CI runs as root)';
  const probe = `hgprobe${randomBytes(3).toString('hex')}`;
  try {
    execFileSync('ip', ['netns', 'add', probe], { stdio: 'pipe' });
    execFileSync('ip', ['netns', 'del', probe], { stdio: 'pipe' });
    return undefined;
  } catch (error) {
    const e = error as { code?: string; stderr?: Buffer; message: string };
    if (e.code === 'ENOENT') return 'the ip command (iproute2) is missing';
    return `ip netns is not available here (${String(e.stderr ?? e.message).trim()})`;
  }
}

/** Builds the switch, each host (eth0 with its /24 address, lo up) and the client's link. */
export function buildSwitch(t: SwitchTopology): void {
  ip('netns', 'add', t.switch);
  ip('-n', t.switch, 'link', 'add', 'br0', 'type', 'bridge');
  ip('-n', t.switch, 'link', 'set', 'br0', 'up');
  for (const h of t.hosts) {
    ip('netns', 'add', h.ns);
    ip('link', 'add', h.inner, 'type', 'veth', 'peer', 'name', h.outer);
    ip('link', 'set', h.inner, 'netns', h.ns);
    ip('link', 'set', h.outer, 'netns', t.switch);
    ip('-n', h.ns, 'link', 'set', h.inner, 'name', 'eth0');
    ip('-n', h.ns, 'addr', 'add', `${h.ip}/24`, 'dev', 'eth0');
    ip('-n', h.ns, 'link', 'set', 'eth0', 'up');
    ip('-n', h.ns, 'link', 'set', 'lo', 'up');
    ip('-n', t.switch, 'link', 'set', h.outer, 'master', 'br0');
    ip('-n', t.switch, 'link', 'set', h.outer, 'up');
  }
  ip('link', 'add', t.client.inner, 'type', 'veth', 'peer', 'name', t.client.outer);
  ip('link', 'set', t.client.outer, 'netns', t.switch);
  ip('addr', 'add', `${t.client.ip}/24`, 'dev', t.client.inner);
  ip('link', 'set', t.client.inner, 'up');
  ip('-n', t.switch, 'link', 'set', t.client.outer, 'master', 'br0');
  ip('-n', t.switch, 'link', 'set', t.client.outer, 'up');
}

/** Deleting a namespace deletes the veth ends inside it, and with them their peers. Never throws. */
export function tearDownSwitch(t: SwitchTopology): void {
  for (const ns of [...t.hosts.map((h) => h.ns), t.switch]) {
    try {
      ip('netns', 'del', ns);
    } catch {
      /* never created, or gone */
    }
  }
  try {
    ip('link', 'del', t.client.inner);
  } catch {
    /* gone with the switch */
  }
}
