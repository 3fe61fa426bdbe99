// Paces a repeated task: `watch` is woken by a completion notice per job, hundreds a second in a
// burst; redrawing for each one made a screen nobody could read and megabytes of output. So the
// task runs when asked, but never sooner than minGap after its last start, at least every maxGap,
// and one run at a time (asks during a run fold into one run after it).

/**
 * A task run on request, at most every minGap ms and at least every maxGap ms.
 *
 * @example
 * const t = new Throttle(async () => draw(), 250, 1000, onError); t.start(); client.on('notification', () => t.request());
 */
export class Throttle {
  private timer: NodeJS.Timeout | undefined;
  private dueAt = Infinity;
  private lastStart = -Infinity;
  private running = false;
  private again = false;
  private stopped = false;

  constructor(
    private readonly task: () => Promise<void>,
    private readonly minGap: number,
    private readonly maxGap: number,
    private readonly onError: (e: unknown) => void,
  ) {}

  /** Runs the task now, then keeps it going. */
  start(): void {
    this.at(Date.now());
  }

  /** Asks for a run as soon as the pace allows. */
  request(): void {
    if (this.stopped) return;
    if (this.running) { this.again = true; return; }
    this.at(Math.max(Date.now(), this.lastStart + this.minGap));
  }

  /** No more runs (one under way finishes). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private at(when: number): void {
    if (this.stopped || when >= this.dueAt) return; // an earlier run is already due
    clearTimeout(this.timer);
    this.dueAt = when;
    this.timer = setTimeout(() => void this.run(), Math.max(0, when - Date.now()));
  }

  private async run(): Promise<void> {
    this.dueAt = Infinity;
    this.running = true;
    this.lastStart = Date.now();
    try {
      await this.task();
    } catch (e) {
      this.stop();
      this.onError(e);
      return;
    } finally {
      this.running = false;
    }
    if (this.again) {
      this.again = false;
      this.at(this.lastStart + this.minGap);
    } else {
      this.at(this.lastStart + this.maxGap);
    }
  }
}
