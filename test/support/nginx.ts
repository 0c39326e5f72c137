import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * nginx in front of `hague gateway` replicas, as README's Operations configures it, with every path
 * inside one folder. GraphQL requests are POSTs, which nginx does not pass on to the next replica
 * unless told (`non_idempotent`): safe here, Hague serves queries only, and a request is passed on
 * only when its replica refused or dropped the connection or answered 502/503 (draining), i.e.
 * before it answered anything. Each answer names the replica(s) tried in `X-Upstream`.
 */

/** The distribution's nginx (apt-get install nginx), if installed. */
export const NGINX = ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx'].find((file) => existsSync(file));

export interface NginxConfig {
  /** The folder nginx keeps its temporary files in. */
  prefix: string;
  /** The address nginx listens on, `host:port`. */
  listen: string;
  /** The gateway replicas, `host:port` each. */
  upstreams: string[];
  /** Idle connections to the replicas kept open (none unless given). */
  keepalive?: number;
  /** How long nginx waits to connect to a replica before trying the next (nginx's default, 60 s, unless given). */
  connectTimeout?: string;
  /** Run the workers as root (nginx started as root otherwise runs them as `nobody`, who cannot read `prefix`). */
  userRoot?: boolean;
}

/** The text of nginx.conf for `config`. */
export function nginxConf(config: NginxConfig): string {
  const { prefix } = config;
  return `${config.userRoot ? 'user root;\n' : ''}worker_processes 1;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${prefix}/client_body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  upstream hague_gateway {
${config.upstreams.map((address) => `    server ${address} max_fails=1 fail_timeout=2s;`).join('\n')}
${config.keepalive ? `    keepalive ${config.keepalive};\n` : ''}  }
  server {
    listen ${config.listen};
    location / {
      proxy_pass http://hague_gateway;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_next_upstream error timeout http_502 http_503 non_idempotent;
      proxy_next_upstream_tries 2;
${config.connectTimeout ? `      proxy_connect_timeout ${config.connectTimeout};\n` : ''}      add_header X-Upstream $upstream_addr always;
    }
  }
}
`;
}

export interface RunningNginx {
  /** nginx's graceful stop (SIGQUIT), waited for. */
  stop(): Promise<void>;
}

/**
 * Writes `folder`/nginx.conf for `config` and starts nginx in the foreground (behind `wrap`, e.g.
 * `ip netns exec <ns>`); resolves once `readyUrl` answers 200 through it. nginx's output is in the
 * error if it exits or is not ready after `attempts` tries 50 ms apart.
 */
export async function startNginx(
  folder: string,
  config: NginxConfig,
  options: { readyUrl: string; wrap?: string[]; attempts?: number; bin?: string },
): Promise<RunningNginx> {
  const { prefix } = config;
  mkdirSync(prefix, { recursive: true });
  const conf = join(folder, 'nginx.conf');
  writeFileSync(conf, nginxConf(config));
  const bin = options.bin ?? NGINX ?? '/usr/sbin/nginx';
  const args = ['-p', prefix, '-c', conf, '-e', join(prefix, 'error.log'), '-g', `daemon off; pid ${join(prefix, 'nginx.pid')};`];
  const [command, ...wrapArgs] = [...(options.wrap ?? []), bin];
  const nginx = spawn(command, [...wrapArgs, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  nginx.stdout.on('data', (d) => (output += String(d)));
  nginx.stderr.on('data', (d) => (output += String(d)));
  const stop = async () => {
    if (nginx.exitCode !== null || nginx.signalCode !== null) return;
    const exited = new Promise((resolve) => nginx.once('exit', resolve));
    nginx.kill('SIGQUIT'); // nginx's graceful stop
    await exited;
  };
  for (let i = 0; ; i++) {
    const up = await fetch(options.readyUrl).catch(() => undefined);
    await up?.body?.cancel();
    if (up?.status === 200) return { stop };
    if (nginx.exitCode !== null || i > (options.attempts ?? 200)) {
      await stop();
      throw new Error(`nginx (${config.listen}) did not start (exit ${nginx.exitCode}):\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
