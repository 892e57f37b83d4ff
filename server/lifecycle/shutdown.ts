// The two moments of a graceful stop, as signals any part of the gateway can listen to:
// `draining` when SIGTERM arrives (stop accepting work; live sockets are told to reconnect
// elsewhere) and `expired` when SHUTDOWN_GRACE_MS has passed (streams still running end now
// with the protocol's error event and are settled for what they delivered).
export class Shutdown {
  private readonly drainingCtrl = new AbortController();
  private readonly expiredCtrl = new AbortController();

  get draining(): AbortSignal {
    return this.drainingCtrl.signal;
  }

  get expired(): AbortSignal {
    return this.expiredCtrl.signal;
  }

  beginDraining(): void {
    if (!this.drainingCtrl.signal.aborted) this.drainingCtrl.abort(new Error('gateway shutting down'));
  }

  expire(): void {
    this.beginDraining();
    if (!this.expiredCtrl.signal.aborted) this.expiredCtrl.abort(new Error('shutdown grace period over'));
  }
}

/** WebSocket close code 1001 "Going Away": the server is going down (RFC 6455 §7.4.1). */
export const CLOSE_GOING_AWAY = 1001;
