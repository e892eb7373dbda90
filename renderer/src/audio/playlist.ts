// Plays a list of clips one after another, where starting a new list ends the one before:
// its clip stops and its loop ends at its next await, so two lists' clips never alternate
// (clicking a second confusion-matrix cell while the first is playing). Loading and
// playing are passed in, so the sequencing is tested without audio.

export interface PlaylistDeps<Clip> {
  /** Reads a clip; a rejection ends the list with that error. */
  load(path: string): Promise<Clip>;
  /** Plays a clip, resolving when it ends or is stopped. */
  play(clip: Clip): Promise<void>;
  /** Stops whatever is playing. */
  stop(): void;
}

export type PlaylistResult =
  | { kind: 'done' }
  | { kind: 'superseded' } // another list started, or stop() was called
  | { kind: 'failed'; path: string; error: unknown };

export interface Playlist {
  /** Plays `paths` in order; onClip(i) before each is loaded. */
  play(paths: readonly string[], onClip?: (index: number, path: string) => void): Promise<PlaylistResult>;
  /** Ends the current list (and its clip). */
  stop(): void;
}

export function createPlaylist<Clip>(deps: PlaylistDeps<Clip>): Playlist {
  let run = 0;
  return {
    async play(paths, onClip) {
      const my = ++run;
      deps.stop();
      for (const [i, path] of paths.entries()) {
        onClip?.(i, path);
        let clip: Clip;
        try {
          clip = await deps.load(path);
        } catch (error) {
          return my === run ? { kind: 'failed', path, error } : { kind: 'superseded' };
        }
        if (my !== run) return { kind: 'superseded' };
        await deps.play(clip);
        if (my !== run) return { kind: 'superseded' };
      }
      return { kind: 'done' };
    },
    stop() {
      run++;
      deps.stop();
    },
  };
}
