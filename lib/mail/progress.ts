/**
 * The one listener-safe progress wrapper of the mail paths (pipeline, SMTP, Graph, IMAP): a
 * page's or the CLI's listener that throws must never break a send or a check, and every event
 * carries the time since the operation started.
 */

export type Progress<S extends string> = { stage: S; message: string; elapsedMs: number };

export type ProgressListener<S extends string> = (p: Progress<S>) => void;

/** Reports `(stage, message)` to `listener` (if any); swallows whatever the listener throws. */
export function progressSink<S extends string>(listener: ProgressListener<S> | undefined, started = Date.now()): (stage: S, message: string) => void {
  return (stage, message) => {
    if (!listener) return;
    try {
      listener({ stage, message, elapsedMs: Date.now() - started });
    } catch {
      // a progress listener must not break the operation it watches
    }
  };
}
