// The contract's data: what the Node side reports (the stack, engine, targets, alerts, configs,
// images, logs), as the UI reads it. Types only; main/contract.ts re-exports them with the
// requests, events and errors.

export type EngineStatus =
  | { reachable: true; endpoint: string; version: string; apiVersion: string; os: string; arch: string }
  | { reachable: false; tried: { endpoint: string; error: string }[]; hint: string };

export interface ServiceStatus {
  service: string;
  /** created, running, restarting, paused, exited, dead, missing (no container), unknown (engine gone). */
  state: string;
  ready: boolean;
  health?: string;
  startedAt?: string;
  uptimeSeconds?: number;
  restartCount: number;
  exitCode?: number;
  ports: { host: string; hostPort: number; containerPort: number }[];
  image: string;
  containerId?: string;
  /** Set when the container stopped or restarts: what it logged last. */
  lastLogs?: string[];
  /**
   * Where the service is reached from this machine (its first published port), e.g.
   * http://127.0.0.1:9090: the one answer the probes, clients, window and pages use.
   */
  url?: string;
  /** The config version the container holds (a short hash of its config files; see the Config view's history). */
  configVersion?: string;
  /** Offline: the upstream image this service's stand-in replaces. */
  standInFor?: string;
  /** Why the last Start skipped it: one short line and the fix, and the engine's own words. */
  unavailable?: { why: string; details: string };
  /** On Swarm: its replicas running and desired, and its tasks, newest first. */
  replicas?: { running: number; desired: number };
  tasks?: TaskStatus[];
}

/** A Swarm task of a service, as `docker service ps` shows it. */
export interface TaskStatus {
  /** api_poc3.2 */
  name: string;
  state: string;
  desiredState: string;
  node: string;
  /** When it reached its state (ISO). */
  since: string;
  error?: string;
  /** Its addresses on the stack's network: what Prometheus scrapes. */
  addresses: string[];
}

/** The image a service will run, as the Images panel and `obsdeck images` show it. */
export interface ImageInfo {
  service: string;
  image: string;
  onEngine: boolean;
  /** upstream (from a registry), stand-in (built here from Debian's packages), imported (from a tarball), built (from the stack's build context). */
  origin: 'upstream' | 'stand-in' | 'imported' | 'built';
  /** Bytes on the engine. */
  size?: number;
  id?: string;
  /** Offline: the upstream image this stand-in replaces. */
  standInFor?: string;
  /** Chosen in the app over the compose file's image, which this names. */
  chosenOver?: string;
}

/** A pull's progress, layer by layer as `docker pull` shows it, and its end. */
export interface PullProgress {
  service: string;
  image: string;
  layers: { id: string; status: string; current?: number; total?: number }[];
  done: boolean;
  error?: string;
}

export type StackStep = 'preflight' | 'image' | 'network' | 'volume' | 'create' | 'start' | 'ready' | 'stop' | 'remove';
export interface StackEvent {
  step: StackStep;
  service?: string;
  state: 'started' | 'progress' | 'done' | 'skipped' | 'failed';
  message: string;
  progress?: { current: number; total: number };
}

export interface StackSnapshot {
  engine: EngineStatus;
  services: ServiceStatus[];
  /** What the stack is doing now, if anything: an `up`, `down`, `restart`, `stop` or config `apply` in progress. */
  busy?: 'up' | 'down' | 'restart' | 'stop' | 'apply' | 'images' | 'scale';
  /** Another Obsdeck process (a terminal's `obsdeck apply`, the app) is changing the stack now: who, and what. */
  busyBy?: string;
  /** Where the stack runs: plain containers, or Swarm services (then each service has replicas and tasks). */
  target: 'containers' | 'swarm';
  /** The engine's part in a swarm: Start on Swarm needs a manager, and offers to make an inactive engine a single-node swarm. */
  swarm?: 'manager' | 'worker' | 'inactive';
}

export interface TargetInfo {
  pool: string;
  url: string;
  health: 'up' | 'down' | 'unknown';
  labels: Record<string, string>;
  lastScrape: string;
  lastScrapeMs: number;
  lastError: string;
  /** On Swarm: the task and node behind this target's address. */
  task?: string;
  node?: string;
}

export interface AlertInfo {
  name: string;
  state: 'pending' | 'firing' | 'inactive';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  activeAt?: string;
  value: string;
  /** Set when Alertmanager silences or inhibits it. */
  silencedBy?: string[];
  /** The alerting rule's expression, to graph it. */
  expr?: string;
  /** The compose service behind it (from its instance, or its job's targets), for its logs. */
  service?: string;
}

export interface SilenceInfo {
  id: string;
  matchers: { name: string; value: string; isRegex: boolean; isEqual?: boolean }[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
  state: 'active' | 'pending' | 'expired';
}

/** One expression's range result: each series' labels and its [unix seconds, value] points. */
export interface RangeResult { expr: string; series: { labels: Record<string, string>; points: [number, number][] }[]; error?: string }

export const CONFIG_FILE_NAMES = ['prometheus.yml', 'prometheus_rules.yml', 'alertmanager.yml'] as const;
/**
 * The files the Config view shows: the configs above, the compose file the stack runs, the
 * objectives and the rules generated from them (shown, not edited).
 */
export const EDITABLE_FILE_NAMES = [...CONFIG_FILE_NAMES, 'docker-compose.yml', 'slos.yml', 'slo_rules.yml'] as const;
/** A promtool rule test of the config directory (tests/NAME.yml), also edited in the Config view. */
export const RULE_TEST_PATH = /^tests\/[\w-][\w.-]{0,99}\.ya?ml$/;
/** A file the Config view edits: one of the names above, or a rule test's path. */
export type ConfigFileName = (typeof EDITABLE_FILE_NAMES)[number] | `tests/${string}`;
export interface ConfigProblem { file: string; line?: number; column?: number; severity: 'error' | 'warning'; message: string }
export interface ConfigState {
  configDir: string;
  /** `running`: what the service holds now (for the compose file, the text the stack was opened with). */
  files: { name: ConfigFileName; text: string; running?: string; path?: string; readOnly?: string }[];
  /** Newest first; `runningIn`: the services that run this entry's files now. */
  history: { id: string; at: string; note: string; runningIn?: string[] }[];
  /**
   * Files this version of Obsdeck ships that the config directory lacks (it was made by an
   * earlier one): the user reviews and applies each, or says not now.
   */
  offered: { name: string; text: string }[];
}

export interface ConfigStep { step: 'validate' | 'copy' | 'reload' | 'confirm' | 'rollback' | 'record'; service?: string; message: string }

/** One of Alertmanager's notification groups: its group labels, receiver, and how many alerts it holds. */
export interface AlertGroupInfo { labels: Record<string, string>; receiver: string; alerts: number; active: number; suppressed: number }

/** An alerting rule Prometheus runs, as the Alerts view lists it (to backtest it). */
export interface AlertRuleInfo { name: string; group: string; expr: string; forS: number; state: 'inactive' | 'pending' | 'firing' }

export interface AlertsSnapshot {
  alerts: AlertInfo[];
  /** Every alerting rule Prometheus runs but the Watchdog. */
  rules: AlertRuleInfo[];
  silences: SilenceInfo[];
  alertmanager: boolean;
  groups: AlertGroupInfo[];
  /** The app's webhook receiver: where it listens (or why not) and what it turned away. */
  receiver?: Pick<NoticesState, 'listening' | 'error' | 'refused' | 'pollingEveryS' | 'path' | 'heartbeat'> & {
    /**
     * Alertmanager's webhook deliveries (its own counters) and its last delivery error. `failing`:
     * that error came after the last notification this app received, so the path is down now.
     */
    delivery?: { sent: number; failed: number; lastError?: { at: string; message: string }; failing: boolean };
    /** Each hop of the path from the services' own metrics: rules, Prometheus → Alertmanager, Alertmanager → Obsdeck. */
    pipeline?: { hop: string; ok: boolean; message: string }[];
  };
}

/** The alert path test: each hop with how long after the start it was reached, and what failed. */
export interface PathTestResult {
  run: string;
  alertname: string;
  ok: boolean;
  hops: { hop: 'routes checked' | 'accepted' | 'routed' | 'delivered' | 'resolved'; ok: boolean; afterMs: number; message: string }[];
  /** The failed hop and why, in one line. */
  problem?: string;
  /** Alertmanager's or the engine's own words behind the problem. */
  details?: string;
}

/** One change of an alert, as Alertmanager's webhook told the app (or the app silenced it). */
export interface AlertNotice {
  fingerprint: string;
  status: 'firing' | 'resolved' | 'silenced';
  alertname: string;
  severity?: string;
  summary?: string;
  description?: string;
  labels: Record<string, string>;
  startsAt: string;
  endsAt?: string;
  receivedAt: string;
}

export interface NoticesState {
  /** The webhook URL the app listens on, or why it does not. */
  listening?: string;
  /**
   * With a remote engine no webhook on this machine can be reached from its Alertmanager: the
   * app asks Alertmanager for its alerts this often instead (seconds).
   */
  pollingEveryS?: number;
  error?: string;
  /** What the receiver turned away (no token, not JSON, over a cap): how many, the last, when. */
  refused?: { count: number; last: string; at: string };
  /**
   * The last check that Alertmanager's notifications can reach this receiver: where the engine
   * put host.docker.internal (read from the Alertmanager container), whether a request from the
   * stack's network got here, and what is wrong when something is.
   */
  path?: { checkedAt: string; hostGateway?: string; reached?: boolean; problem?: string };
  /**
   * The Watchdog rule's heartbeat (it always fires; Alertmanager repeats it every minute): when
   * it last arrived. `stale`: none for 5 minutes while the receiver listens, so the path is down.
   */
  heartbeat?: { lastAt?: string; stale: boolean };
  firing: AlertNotice[];
  resolved: AlertNotice[];
}

/** The traffic generator's scenarios (main/traffic.ts holds what each does). */
export const TRAFFIC_SCENARIOS = ['normal', 'brute-force', 'forbidden', 'token-reuse', 'error-storm', 'slow'] as const;
export type TrafficScenario = (typeof TRAFFIC_SCENARIOS)[number];

/** One scenario's run: live while `running`, then its totals (and why it stopped early, if it did). */
export interface TrafficRun {
  scenario: TrafficScenario;
  running: boolean;
  sent: number;
  byStatus: Record<string, number>;
  elapsedS: number;
  durationS: number;
  rate: number;
  error?: string;
}

export interface TrafficState { scenarios: { name: TrafficScenario; description: string }[]; runs: TrafficRun[]; limits: { maxRate: number; maxDurationS: number } }

export interface LogLine {
  service: string;
  stream: 'stdout' | 'stderr';
  /** ISO time Docker stamped the line with (RFC 3339, nanoseconds). */
  time: string;
  text: string;
  /** On Swarm: the task that wrote it, as `docker service ps` names it (api_poc3.2). */
  task?: string;
}

/** One alert (a label set) from pending to resolved, in a backtest or as Prometheus' ALERTS recorded it; ms since the epoch. */
export interface AlertActivation {
  labels: Record<string, string>;
  pendingFrom: number;
  /** Absent: it never fired (a pending alert that was dropped). */
  firingFrom?: number;
  /** Absent: still active at the end of the window. */
  resolvedAt?: number;
}

export interface BacktestSeries { labels: Record<string, string>; points: [number, number][] }

/** A rule evaluated over a past window of the live Prometheus, with Prometheus' alerting state machine replayed. */
export interface BacktestResult {
  rule: { name: string; kind: 'alert' | 'record'; group: string; expr: string; forMs: number; keepFiringForMs: number; draft: boolean };
  from: number;
  to: number;
  /** Where the evaluations start: `for` + `keep_firing_for` before `from`, so the window's first minutes are right. */
  evalFrom: number;
  intervalMs: number;
  /** The group's evaluation phase (ms past a multiple of the interval) and where it was read. */
  phase: { ms: number; from: 'series' | 'last-evaluation' | 'none' };
  evaluations: number;
  /** What the graph shows: the expression without its final comparison, and that comparison's threshold. */
  graph: { expr: string; threshold?: { op: string; value: number }; series: BacktestSeries[] };
  /** What the rule (as given) would have done; for a recording rule, the series it would have written. */
  would: AlertActivation[];
  recorded?: BacktestSeries[];
  /** What Prometheus did with the applied rule of that name (ALERTS, or the recorded series), when there is one. */
  actual?: AlertActivation[];
  actualRecorded?: BacktestSeries[];
  /** Evaluations where the backtest and Prometheus disagree, one line each (only inside the window). */
  disagreements?: string[];
  /** Prometheus (re)started inside the window at these times: its alerts restart there too, so differences near them are expected. */
  restarts: number[];
  /** Recording rules of the draft evaluated inline (changed or new, not yet recorded by Prometheus). */
  inlined: string[];
  notes: string[];
}

/** A route of Alertmanager's tree, with what it inherits filled in. */
export interface RouteView {
  /** `root`, `root.0`, `root.0.1`: where it sits. */
  id: string;
  line?: number;
  matchers: string[];
  receiver: string;
  ownReceiver: boolean;
  groupBy: string[];
  groupWait: string;
  groupInterval: string;
  repeatInterval: string;
  continue: boolean;
  muteTimeIntervals: string[];
  activeTimeIntervals: string[];
  routes: RouteView[];
}

export interface RoutingView {
  draft: boolean;
  root: RouteView;
  receivers: string[];
  inhibit: { line?: number; source: string[]; target: string[]; equal: string[] }[];
  /** "Who gets this?" for the label set asked about. */
  test?: {
    labels: Record<string, string>;
    /** The routes it reaches, in order (their ancestors are on the path too). */
    matched: string[];
    receivers: string[];
    /** Active alerts that would mute it, by inhibition rule (its index in `inhibit`). */
    inhibitedBy: { rule: number; source: Record<string, string> }[];
  };
}

/** One alert from firing to resolved, as the history keeps it (ms since the epoch). */
export interface AlertHistoryEntry {
  alertname: string;
  labels: Record<string, string>;
  severity?: string;
  summary?: string;
  firedAt: number;
  /** Absent: still firing (or its end not seen yet). */
  resolvedAt?: number;
  /** Who told of it: Alertmanager's webhook, Prometheus' ALERTS, or both. */
  sources: ('webhook' | 'prometheus')[];
}

export interface AlertHistoryRule { alertname: string; firings: number; firingMs: number; meanResolveMs?: number; firingNow: boolean; flapping: boolean }

export interface AlertHistoryState {
  since: number;
  entries: AlertHistoryEntry[];
  rules: AlertHistoryRule[];
  driver: 'node:sqlite' | 'better-sqlite3';
  /** Why Prometheus' ALERTS were not read this time (what was recorded is shown). */
  note?: string;
}

/** One test case of a promtool rule test file, and how promtool judged it. */
export interface RuleTestCase {
  group: string;
  kind: 'alert' | 'expr';
  /** The alert's name, or the expression. */
  what: string;
  evalTime: string;
  /** 1-based line of the case in its file. */
  line: number;
  ok: boolean;
  /** promtool's words for a failed case (what it expected, what it got). */
  message?: string;
}

export interface RuleTestFile {
  /** `tests/<name>` in the config directory. */
  file: string;
  ok: boolean;
  cases: RuleTestCase[];
  /** promtool's words that belong to no case (a rule file that did not load). */
  problems?: string[];
  ms: number;
  /** Which rules file it ran against. */
  rules: 'applied' | 'draft';
}

/** A promtool test file recorded from live data for one alert, and promtool's verdict on it. */
export interface RecordedTest {
  text: string;
  verdict: RuleTestFile;
  /** promtool found what the backtest expects at every chosen time: only then can it be saved. */
  agree: boolean;
  /** The times the test holds the rule to (ms) and how many alerts fire then. */
  expectations: { at: number; firing: number }[];
  /** Where it was saved (`tests/<name>.yml`). */
  saved?: string;
}

/** One burn-rate alert of an objective, now: its windows' burn (× the budget), threshold, and cost. */
export interface SloBurn {
  severity: 'page' | 'ticket';
  long: string;
  short: string;
  factor: number;
  /** The error ratio the alert waits for on both windows (factor × budget). */
  threshold: number;
  burnLong?: number;
  burnShort?: number;
  /** Both windows are over the threshold now. */
  over: boolean;
  /** Prometheus has its ErrorBudgetBurn alert firing. */
  firing: boolean;
  /** "at 6× for 6h you spend 5% of a 30d budget" */
  spend: string;
}

/** An objective of slos.yml and where it stands (absent figures: no requests in that window yet). */
export interface SloStatus {
  name: string;
  service: string;
  description: string;
  /** A fraction: 0.995. */
  target: number;
  window: string;
  windowMs: number;
  sli: { kind: 'bad' | 'good'; events: string; total: string };
  errorRatio?: number;
  /** 1 is all of it, 0 spent, below 0 overspent. */
  budgetRemaining?: number;
  /** The burn rate over the shortest long window. */
  burnNow?: number;
  exhaustionMs?: number;
  sentence: string;
  burns: SloBurn[];
  /** The budget left as PromQL, for a chart. */
  budgetExpr: string;
}

export interface SloState {
  objectives: SloStatus[];
  /** Why there is nothing to show, or what is wrong with slos.yml. */
  notes: string[];
}

/** A service's cost at one moment, as `docker stats` counts it. */
export interface VitalsPoint {
  at: number;
  /** 100 is one core; absent for a container's first read. */
  cpuPercent?: number;
  cpuSeconds: number;
  memoryBytes: number;
  memoryLimitBytes: number;
  netRxBytes: number;
  netTxBytes: number;
  blockReadBytes: number;
  blockWriteBytes: number;
}

/** The last 15 minutes of each running service's vitals, sampled every `intervalMs` (0: off). */
export interface VitalsState { intervalMs: number; services: Record<string, VitalsPoint[]> }
