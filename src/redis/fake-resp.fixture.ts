import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { HeldPort } from './held-port.fixture.js';
import { holdPort } from './held-port.fixture.js';

/** Splits RESP arrays of bulk strings (what a client sends) off the front of `buffer`. */
function takeCommands(buffer: string): { commands: string[][]; rest: string } {
  const commands: string[][] = [];
  let at = 0;
  for (;;) {
    const header = /^\*(\d+)\r\n/.exec(buffer.slice(at));
    if (!header?.[1]) break;
    let cursor = at + header[0].length;
    const args: string[] = [];
    for (let i = 0; i < Number(header[1]); i++) {
      const bulk = /^\$(\d+)\r\n/.exec(buffer.slice(cursor));
      if (!bulk?.[1]) return { commands, rest: buffer.slice(at) };
      const start = cursor + bulk[0].length;
      const end = start + Number(bulk[1]);
      if (buffer.length < end + 2) return { commands, rest: buffer.slice(at) };
      args.push(buffer.slice(start, end));
      cursor = end + 2;
    }
    commands.push(args);
    at = cursor;
  }
  return { commands, rest: buffer.slice(at) };
}

function bulk(text: string): string {
  return `$${Buffer.byteLength(text)}\r\n${text}\r\n`;
}

/**
 * Just enough of a Redis server for a link's lifecycle: PING answers PONG, PSUBSCRIBE is
 * acknowledged, everything else is OK unless `answer()` set a raw RESP reply for it. Lets tests
 * drop connections and stop listening.
 */
export class FakeRedis {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  /** Connections still to drop when their first command arrives. */
  private dropAtFirstCommand = 0;
  /** The port while down, so no other test takes it meanwhile. */
  private held: HeldPort | null = null;
  /** Raw RESP replies by command name and first argument, lower case (`sentinel master`). */
  private readonly answers = new Map<string, string>();
  /** Commands (lower case) whose next arrival closes its connection unanswered. */
  private readonly dropAt = new Set<string>();
  /** How many times each command (lower case name) arrived. */
  readonly received = new Map<string, number>();
  port = 0;

  constructor() {
    this.server = createServer((socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
      let pending = '';
      const drop = this.dropAtFirstCommand > 0;
      if (drop) this.dropAtFirstCommand -= 1;
      socket.on('data', (data) => {
        if (drop) {
          socket.destroy();
          return;
        }
        const { commands, rest } = takeCommands(pending + data.toString('utf8'));
        pending = rest;
        for (const [name = '', ...args] of commands) {
          const lower = name.toLowerCase();
          this.received.set(lower, (this.received.get(lower) ?? 0) + 1);
          if (this.dropAt.delete(lower)) {
            socket.destroy();
            return;
          }
          const set = this.answers.get(`${name} ${args[0] ?? ''}`.toLowerCase().trim());
          socket.write(set ?? reply(name, args));
        }
      });
    });
  }

  /** Answers `command` (`'SENTINEL MASTER'`, `'INFO'`) with `resp`, raw RESP, from now on. */
  answer(command: string, resp: string): void {
    this.answers.set(command.toLowerCase(), resp);
  }

  get addr(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Listens on `port`, or on a free one the first time; the port it was down on is given back. */
  async listen(port = this.port): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
    await this.release();
  }

  /** Closes every client connection, as Sentinel's CLIENT KILL does; keeps listening. */
  dropClients(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  /**
   * Closes the connection the next `command` (`'SADD'`) arrives on, unanswered, as a server that
   * died after applying it may: the client cannot tell whether it was applied.
   */
  dropOnceAt(command: string): void {
    this.dropAt.add(command.toLowerCase());
  }

  /** Closes each of the next `count` connections as soon as a command arrives on it. */
  dropNextAtFirstCommand(count: number): void {
    this.dropAtFirstCommand = count;
  }

  /**
   * Stops listening and drops every client, as a server that went away: connecting is refused
   * until `listen()`, and the port is held meanwhile, so no other test file's server gets it.
   */
  async down(): Promise<void> {
    await this.stop();
    this.held = await holdPort(this.port);
  }

  /** Stops listening and drops every client, for good. */
  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.dropClients();
    await closed;
    await this.release();
  }

  private async release(): Promise<void> {
    await this.held?.release();
    this.held = null;
  }
}

function reply(name: string, args: string[]): string {
  switch (name.toLowerCase()) {
    case 'ping':
      return '+PONG\r\n';
    case 'psubscribe':
      return args.map((p, i) => `*3\r\n${bulk('psubscribe')}${bulk(p)}:${i + 1}\r\n`).join('');
    default:
      return '+OK\r\n';
  }
}
