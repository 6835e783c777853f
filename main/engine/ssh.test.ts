// The host-key check of a remote engine over SSH: only a key known_hosts holds for that host
// (plain or hashed, with the [host]:port form off port 22) lets the connection on.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { knownKeys, parseSsh, socketOf, sshConfig } from './ssh.js';

const key = (n: number) => Buffer.from(`ssh-ed25519-key-blob-${n}`);
const hashed = (name: string) => {
  const salt = crypto.randomBytes(20);
  return `|1|${salt.toString('base64')}|${crypto.createHmac('sha1', salt).update(name).digest('base64')}`;
};

describe('a remote engine over SSH', () => {
  it('goes to the remote engine\'s socket only when its docker CLI names a unix socket', () => {
    expect(socketOf('unix:///var/run/docker.sock\n')).toBe('/var/run/docker.sock');
    expect(socketOf('unix:///run/user/1000/docker.sock')).toBe('/run/user/1000/docker.sock');
    // Elsewhere (TCP, another hop of SSH, a relative path, nothing) dial-stdio does what the CLI does.
    for (const other of ['tcp://127.0.0.1:2375', 'ssh://other', 'unix://docker.sock', '', 'unix:///a b']) expect(socketOf(other), other).toBeUndefined();
  });

  it('reads the user, host and port of DOCKER_HOST', () => {
    expect(parseSsh('ssh://deploy@build.example.test:2222')).toEqual({ host: 'build.example.test', port: 2222, username: 'deploy' });
    expect(parseSsh('ssh://root@10.0.0.2', {}).port).toBe(22);
  });

  it('finds the host\'s keys in known_hosts, plain and hashed, and no other host\'s', () => {
    const text = [
      `# a comment`,
      `10.0.0.2 ssh-ed25519 ${key(1).toString('base64')}`,
      `[10.0.0.2]:2222 ssh-ed25519 ${key(2).toString('base64')}`,
      `${hashed('[10.0.0.2]:2222')} ssh-ed25519 ${key(3).toString('base64')}`,
      `other.example.test,10.0.0.3 ssh-ed25519 ${key(4).toString('base64')}`,
      `@revoked [10.0.0.2]:2222 ssh-ed25519 ${key(5).toString('base64')}`,
    ].join('\n');
    expect(knownKeys(text, { host: '10.0.0.2', port: 22, username: 'root' })).toEqual([key(1)]);
    expect(knownKeys(text, { host: '10.0.0.2', port: 2222, username: 'root' })).toEqual([key(2), key(3)]);
    expect(knownKeys(text, { host: '10.0.0.9', port: 22, username: 'root' })).toEqual([]);
  });

  it('refuses an unknown host key, saying how to add it, and a changed one, saying it changed', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-ssh-'));
    const file = path.join(dir, 'known_hosts');
    const ep = { host: '10.0.0.2', port: 2222, username: 'root' };
    const config = sshConfig(ep, { OBSDECK_SSH_KNOWN_HOSTS: file }, dir);
    const verify = config.hostVerifier as (k: Buffer) => boolean;
    expect(verify(key(1))).toBe(false);
    expect(config.failure()).toBe(`the host key of [10.0.0.2]:2222 is not in ${file}; check the key and add it (ssh-keyscan -p 2222 10.0.0.2 >> ${file})`);
    fs.writeFileSync(file, `[10.0.0.2]:2222 ssh-ed25519 ${key(2).toString('base64')}\n`);
    expect(verify(key(2))).toBe(true);
    expect(verify(key(1))).toBe(false);
    expect(config.failure()).toMatch(/is not the one in .*known_hosts: someone may be in the middle/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a key marked @revoked, takes no @cert-authority key as a host key, and matches host names in any case', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-ssh-'));
    const file = path.join(dir, 'known_hosts');
    fs.writeFileSync(file, [
      `Build.Example.Test ssh-ed25519 ${key(1).toString('base64')}`,
      `@revoked * ssh-ed25519 ${key(2).toString('base64')}`,
      `build.example.test ssh-ed25519 ${key(2).toString('base64')}`,
      `@cert-authority *.example.test ssh-ed25519 ${key(3).toString('base64')}`,
      `*.lab.test,!secret.lab.test ssh-ed25519 ${key(4).toString('base64')}`,
    ].join('\n'));
    const verify = (host: string, k: Buffer) => {
      const config = sshConfig({ host, port: 22, username: 'root' }, { OBSDECK_SSH_KNOWN_HOSTS: file }, dir);
      return { ok: (config.hostVerifier as (k: Buffer) => boolean)(k), failure: config.failure() };
    };
    expect(verify('BUILD.example.test', key(1)).ok).toBe(true); // the same host, typed in capitals
    expect(verify('build.example.test', key(2))).toEqual({ ok: false, failure: `the host key of build.example.test is marked @revoked in ${file}: refused` });
    expect(verify('build.example.test', key(3)).ok).toBe(false); // a CA's key is not the host's
    expect(verify('a.lab.test', key(4)).ok).toBe(true);
    expect(verify('secret.lab.test', key(4)).ok).toBe(false); // !negated
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('leaves a key with a passphrase to the agent, and says what to do when there is none', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-ssh-'));
    // An RSA key in the PEM form ssh-keygen -m PEM writes: one protected by a passphrase, one not.
    const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const keyFile = path.join(dir, 'id_rsa');
    fs.writeFileSync(keyFile, privateKey.export({ type: 'pkcs1', format: 'pem', cipher: 'aes-128-cbc', passphrase: 'a passphrase' }));
    const ep = { host: '10.0.0.2', port: 22, username: 'root' };
    const withAgent = sshConfig(ep, { OBSDECK_SSH_KEY: keyFile, SSH_AUTH_SOCK: '/tmp/agent.sock' }, dir);
    expect(withAgent.agent).toBe('/tmp/agent.sock');
    expect(withAgent.privateKey).toBeUndefined(); // handed to ssh2 it failed every connection
    expect(withAgent.failure()).toBeUndefined();
    const alone = sshConfig(ep, { OBSDECK_SSH_KEY: keyFile }, dir);
    expect(alone.privateKey).toBeUndefined();
    expect(alone.failure()).toMatch(/is protected by a passphrase and no SSH agent runs: add it to an agent/);
    const plainFile = path.join(dir, 'id_plain');
    fs.writeFileSync(plainFile, privateKey.export({ type: 'pkcs1', format: 'pem' }));
    expect(sshConfig(ep, { OBSDECK_SSH_KEY: plainFile }, dir).privateKey).toEqual(fs.readFileSync(plainFile));
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
