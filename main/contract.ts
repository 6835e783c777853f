// The one contract between the UI and the Node side: every request (channel `domain:verb`, its
// arguments and its reply), every event, and the errors that cross as data with stable codes.
// The same contract runs over Electron IPC and over `obsdeck serve`'s WebSocket. The renderer
// imports only types from here; arguments are validated with these schemas on the Node side.
// Self-contained on purpose (zod only): the renderer type-checks it without Node's types.
import { z } from 'zod';

// ----------------------------------------------------------------------------- data
// In contract/data.ts, re-exported here (and used below).
export * from './contract/data.js';
import { EDITABLE_FILE_NAMES, RULE_TEST_PATH, TRAFFIC_SCENARIOS, type EngineStatus, type ImageInfo, type PullProgress, type StackEvent, type StackSnapshot, type TargetInfo, type RangeResult, type ConfigProblem, type ConfigFileName, type ConfigState, type ConfigStep, type AlertsSnapshot, type PathTestResult, type AlertNotice, type NoticesState, type TrafficRun, type TrafficState, type LogLine, type BacktestResult, type RoutingView, type AlertHistoryState, type RuleTestFile, type RecordedTest, type SloState, type VitalsPoint, type VitalsState } from './contract/data.js';

// ----------------------------------------------------------------------------- errors

export const ERROR_CODES = [
  'ENGINE_UNREACHABLE', 'PORT_IN_USE', 'IMAGE_MISSING', 'PREFLIGHT_FAILED', 'SERVICE_FAILED',
  'CONFIG_INVALID', 'APPLY_ROLLED_BACK', 'PROMETHEUS_UNREACHABLE', 'ALERTMANAGER_UNREACHABLE', 'BUSY', 'BAD_REQUEST', 'UNKNOWN_CHANNEL', 'INTERNAL', 'IMAGE_FAILED',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];
export interface ContractError {
  code: ErrorCode;
  message: string;
  details?: string[];
  /** A refused config, as Validate lists it (file, line, column), so the editor can mark it. */
  problems?: ConfigProblem[];
}

// ----------------------------------------------------------------------------- requests

/** The Prometheus API paths `prom:read` may call (under /api/v1/). */
export const PROM_READ_PATH = /^(query|query_range|query_exemplars|labels|series|metadata|status\/flags|status\/buildinfo|status\/tsdb|format_query|parse_query|label\/[a-zA-Z_]\w{0,127}\/values)$/;

/** An image reference: [registry[:port]/]name[/name…][:tag][@sha256:digest]. */
export const IMAGE_REF = /^(?:[a-zA-Z0-9.-]+(?::\d{1,5})?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

/** The longest text the contract takes (a config file), in characters. */
export const MAX_TEXT = 1 << 20;
/**
 * The largest WebSocket frame, in bytes: a request with a MAX_TEXT text in JSON, whatever the
 * text holds (a control character is 6 bytes escaped, other characters at most 3 in UTF-8), and
 * room for the rest of the request.
 */
export const WS_MAX_BYTES = 6 * MAX_TEXT + (64 << 10);

const services = z.array(z.string().regex(/^[a-zA-Z0-9_.-]{1,64}$/, 'a service name')).max(32);

/** A file the Config view edits: the configs and compose file by name, or a rule test (tests/NAME.yml). */
const configFile = z.string().refine((f): f is ConfigFileName => (EDITABLE_FILE_NAMES as readonly string[]).includes(f) || RULE_TEST_PATH.test(f), `one of ${EDITABLE_FILE_NAMES.join(', ')}, or tests/NAME.yml`);

export const requestSchemas = {
  'engine:status': z.strictObject({}),
  'stack:status': z.strictObject({}),
  'stack:up': z.strictObject({
    services: services.optional(),
    /** Deploy as Swarm services instead of containers. */
    swarm: z.boolean().optional(),
    /** With swarm: replicas per service. */
    replicas: z.record(z.string().regex(/^[a-zA-Z0-9_.-]{1,64}$/), z.number().int().min(0).max(64)).optional(),
    /** With swarm: make an engine that is in no swarm a single-node swarm first (advertising 127.0.0.1). */
    init: z.boolean().optional(),
  }),
  /** On Swarm: set a service's replicas, and wait until they run. */
  'stack:scale': z.strictObject({ service: z.string().regex(/^[a-zA-Z0-9_.-]{1,64}$/), replicas: z.number().int().min(0).max(64) }),
  'stack:down': z.strictObject({ volumes: z.boolean().optional() }),
  'stack:stop': z.strictObject({ services }),
  'stack:restart': z.strictObject({ services }),
  /** The stack's own credentials, to open Prometheus', Alertmanager's and Grafana's UIs by hand. */
  'stack:credentials': z.strictObject({}),
  'targets:list': z.strictObject({}),
  'logs:tail': z.strictObject({ services: services.optional(), tail: z.number().int().min(0).max(100_000).optional() }),
  /** Follow the services' logs (all when none): `logs:lines` events to this client until `logs:stop` or another follow. */
  'logs:follow': z.strictObject({
    services: services.optional(),
    tail: z.number().int().min(0).max(100_000).optional(),
    /** A duration back from now (10m, 2h) or an ISO date. */
    since: z.string().max(40).optional(),
  }),
  'logs:stop': z.strictObject({}),
  'alerts:list': z.strictObject({}),
  /** What Alertmanager's webhook has told the app: the alerts firing now and the recently resolved. */
  'alerts:notices': z.strictObject({}),
  /** Every alert that fired since `since` (ms), from the app's SQLite history, brought up to date from Prometheus' ALERTS first. */
  'alerts:history': z.strictObject({ since: z.number().int().min(0) }),
  /** Sends a synthetic alert through Alertmanager to the app's receiver and back, hop by hop. */
  'alerts:test': z.strictObject({}),
  'config:get': z.strictObject({}),
  /** Checks a draft (not saved): in-process at once, then promtool/amtool of the stack's images. */
  'config:validate': z.strictObject({ file: configFile, text: z.string().max(MAX_TEXT) }),
  /** Validates the draft, copies it into the running services, reloads, confirms, then saves it; rolls back on failure. */
  'config:apply': z.strictObject({ file: configFile, text: z.string().max(MAX_TEXT) }),
  'config:diff': z.strictObject({ file: configFile, text: z.string().max(MAX_TEXT) }),
  /** A file Obsdeck ships that the config directory lacks, no longer offered (config:get's `offered`). */
  'config:dismiss': z.strictObject({ file: configFile }),
  'config:restore': z.strictObject({ id: z.string().regex(/^[\w-]{1,64}$/, 'a history entry') }),
  /** Range queries for charts: at most 20 expressions, 24 h, 11k points a series. */
  'metrics:range': z.strictObject({
    exprs: z.array(z.string().min(1).max(2000)).min(1).max(20),
    start: z.number(),
    end: z.number(),
    step: z.number().min(1).max(3600),
  }).refine((q) => q.end > q.start && q.end - q.start <= 86_400 && (q.end - q.start) / q.step <= 11_000, 'the range must be positive, at most 24 h, and at most 11000 steps'),
  'silences:create': z.strictObject({
    matchers: z.array(z.strictObject({ name: z.string().regex(/^[a-zA-Z_]\w{0,63}$/, 'a label name'), value: z.string().max(256), isRegex: z.boolean() })).min(1).max(16),
    minutes: z.number().int().min(1).max(7 * 24 * 60),
    comment: z.string().min(1).max(500),
  }),
  'silences:expire': z.strictObject({ id: z.string().regex(/^[\w-]{1,64}$/, 'a silence id') }),
  'traffic:status': z.strictObject({}),
  /** Runs a scenario against the stack's API (bounded: at most 50 requests/s, 600 s; loopback only). */
  'traffic:start': z.strictObject({
    scenario: z.enum(TRAFFIC_SCENARIOS),
    durationS: z.number().min(1).max(600).optional(),
    rate: z.number().min(0.2).max(50).optional(),
  }),
  /** Stops one scenario, or all when none is named. */
  'traffic:stop': z.strictObject({ scenario: z.enum(TRAFFIC_SCENARIOS).optional() }),
  /**
   * A read-only call to Prometheus' HTTP API (/api/v1/<path>), for the PromQL explorer and its
   * editor's completion: queries, label names and values, series, metadata, flags. Nothing that
   * writes (admin, reload) is reachable.
   */
  /** The image each service will run: on the engine or not, its origin and size. */
  'images:list': z.strictObject({}),
  /** Pulls a service's image (progress as `images:pull` events); a second pull of the same image joins the first. */
  'images:pull': z.strictObject({ service: z.string().regex(/^[a-zA-Z0-9_.-]{1,64}$/, 'a service name') }),
  /** Writes the stack's images to one tarball (the Engine API's image save) at an absolute path that does not exist yet. */
  'images:export': z.strictObject({ file: z.string().min(2).max(4096).optional() }),
  /** Loads a tarball made by Export or `docker save` (the Engine API's image load). */
  /** `also`: tags in the tarball that are none of the stack's images, which the user confirmed loading. */
  'images:import': z.strictObject({ file: z.string().min(2).max(4096), also: z.array(z.string().regex(IMAGE_REF, 'an image reference')).max(50).optional() }),
  /** Chooses the image a service runs (kept in the app's settings); null goes back to the compose file's. */
  'images:choose': z.strictObject({
    service: z.string().regex(/^[a-zA-Z0-9_.-]{1,64}$/, 'a service name'),
    image: z.string().regex(IMAGE_REF, 'an image reference such as prom/prometheus:v3.5.0').nullable(),
  }),
  /**
   * A rule evaluated over a past window of the live Prometheus with its alerting state machine
   * replayed: the applied rule of that name, or the one in `draft` (a rules file's text). At most 7 days.
   */
  'rules:backtest': z.strictObject({
    name: z.string().regex(/^[a-zA-Z_:][\w:]{0,199}$/, 'a rule name').optional(),
    group: z.string().min(1).max(200).optional(),
    draft: z.string().max(MAX_TEXT).optional(),
    /** With `draft`: the rule whose text holds this character (the editor's cursor), in place of `name`. */
    at: z.number().int().min(0).max(MAX_TEXT).optional(),
    from: z.number().int().positive(),
    to: z.number().int().positive(),
  }).refine((q) => q.to > q.from && q.to - q.from <= 7 * 86_400_000, 'the window must end after it starts and last at most 7 days')
    .refine((q) => q.name !== undefined || (q.draft !== undefined && q.at !== undefined), 'name a rule, or give a draft and a position in it'),
  /** The config directory's promtool rule tests (tests/*.yml): one file or all, against the applied rules or a draft of them. */
  'rules:tests': z.strictObject({
    file: z.string().regex(/^[\w.-]{1,100}\.ya?ml$/, 'a test file name').optional(),
    draft: z.string().max(MAX_TEXT).optional(),
  }),
  /**
   * A promtool test file recorded from the live Prometheus for an applied alerting rule over a
   * window, run by promtool; saved as tests/<save>.yml only when promtool agrees with the backtest.
   */
  'rules:record': z.strictObject({
    name: z.string().regex(/^[a-zA-Z_:][\w:]{0,199}$/, 'a rule name'),
    group: z.string().min(1).max(200).optional(),
    from: z.number().int().positive(),
    to: z.number().int().positive(),
    save: z.string().regex(/^[\w-]{1,80}$/, 'a file name of letters, digits, - and _').optional(),
  }).refine((q) => q.to > q.from && q.to - q.from <= 86_400_000, 'the window must end after it starts and last at most a day'),
  /** Alertmanager's routing tree (applied, or of `draft`, an alertmanager.yml's text), and where `labels` would go. */
  'routes:show': z.strictObject({
    draft: z.string().max(MAX_TEXT).optional(),
    labels: z.record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]{0,127}$/, 'a label name'), z.string().max(1024)).refine((l) => Object.keys(l).length <= 64, 'at most 64 labels').optional(),
  }),
  /** The objectives of the applied slos.yml and where each stands now. */
  'slo:status': z.strictObject({}),
  /** The last 15 minutes of each running service's CPU, memory, network and block I/O. */
  'vitals:history': z.strictObject({}),
  'prom:read': z.strictObject({
    path: z.string().regex(PROM_READ_PATH, 'a read-only Prometheus API path'),
    params: z.record(z.string().regex(/^[\w[\]]{1,32}$/, 'a parameter name'), z.union([z.string().max(20_000), z.array(z.string().max(4000)).max(100)])),
  }),
} as const;

export type Channel = keyof typeof requestSchemas;
export type RequestArgs<C extends Channel> = z.infer<(typeof requestSchemas)[C]>;

export interface Replies {
  'engine:status': EngineStatus;
  'stack:status': StackSnapshot;
  'stack:up': StackSnapshot;
  'stack:scale': StackSnapshot;
  'stack:down': StackSnapshot;
  'stack:stop': StackSnapshot;
  'stack:restart': StackSnapshot;
  'stack:credentials': { username: string; password: string; grafana: { username: string; password: string } };
  'targets:list': TargetInfo[];
  'logs:tail': LogLine[];
  'logs:follow': { following: string[] };
  'logs:stop': { following: string[] };
  'alerts:list': AlertsSnapshot;
  'alerts:notices': NoticesState;
  'config:get': ConfigState;
  'config:validate': ConfigProblem[];
  /** `id`: the history entry (empty for the compose file, which has no history). */
  'config:apply': { id: string; note: string };
  'config:diff': string[];
  'config:restore': ConfigState;
  'config:dismiss': ConfigState;
  'slo:status': SloState;
  'vitals:history': VitalsState;
  'metrics:range': RangeResult[];
  'silences:create': { id: string };
  'silences:expire': { id: string };
  'alerts:test': PathTestResult;
  'alerts:history': AlertHistoryState;
  'rules:backtest': BacktestResult;
  'rules:record': RecordedTest;
  'rules:tests': { files: string[]; results: RuleTestFile[] };
  'routes:show': RoutingView;
  'traffic:status': TrafficState;
  'traffic:start': TrafficState;
  'traffic:stop': TrafficState;
  'images:list': { images: ImageInfo[]; exportTo: string };
  'images:pull': { images: ImageInfo[] };
  'images:export': { file: string; bytes: number; images: string[]; missing: string[] };
  /** `skipped`: the tarball's tags that are none of the stack's images, left out unless confirmed (`also`). */
  'images:import': { loaded: string[]; skipped: string[]; images: ImageInfo[] };
  'images:choose': { images: ImageInfo[] };
  /** Prometheus' own HTTP status and JSON envelope ({status, data} or {status, errorType, error}). */
  'prom:read': { status: number; body: unknown };
}

// ----------------------------------------------------------------------------- events

export interface Events {
  /** Every change of a service or the engine. */
  'stack:snapshot': StackSnapshot;
  /** Each running service's vitals, every few seconds. */
  'vitals:sample': Record<string, VitalsPoint>;
  /** One step of an up/down/restart, as it happens. */
  'stack:progress': StackEvent;
  /** New log lines of the followed services. */
  'logs:lines': LogLine[];
  /** An alert started firing, resolved, or was silenced (from Alertmanager's webhook). */
  'alerts:notice': AlertNotice;
  /** A traffic run's counts (about once a second) and its end. */
  'traffic:run': TrafficRun;
  /** One step of a config Apply or Restore (validate, copy, reload, confirm, rollback, record). */
  'config:progress': ConfigStep;
  /** A pull's layers as they download and extract, then its end. */
  'images:pull': PullProgress;
}
export type EventName = keyof Events;

// ----------------------------------------------------------------------------- wire (WebSocket)

export type ClientMessage = { id: number; channel: string; args: unknown };
/** The WebSocket's first message: the token `obsdeck serve` printed (nothing is answered before it). */
export type AuthMessage = { auth: string };
export type ServerMessage =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: ContractError }
  | { event: EventName; payload: unknown };

/** What the renderer talks to, over IPC or WebSocket alike. */
export interface ContractClient {
  request<C extends Channel>(channel: C, args: RequestArgs<C>): Promise<Replies[C]>;
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void;
}

/** A request's answer as it crosses IPC: the reply, or the contract error as data. */
export type Reply = { ok: true; result: unknown } | { ok: false; error: ContractError };

/** What the Electron preload exposes to the page as `window.obsdeck`, and nothing more. */
export interface PreloadBridge {
  request(channel: string, args: unknown): Promise<Reply>;
  on(event: string, listener: (payload: unknown) => void): () => void;
  /** Grafana in its own view over the given page rectangle (main checks the URL is Grafana's). */
  grafana: {
    show(url: string, rect: { x: number; y: number; width: number; height: number }): Promise<{ ok: boolean; message?: string }>;
    hide(): Promise<unknown>;
  };
}
