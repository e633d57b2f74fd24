/** What push and pull share: a small worker pool and byte counting for progress. */

/** Runs `work` on each item, at most `limit` at once; the first failure stops new starts and is thrown once the running ones end. */
export async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { err: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (err) {
        failure ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.err;
}

export type ProgressCallback = (bytes: number) => void;

export async function* counted(chunks: AsyncIterable<Uint8Array>, onBytes: ProgressCallback | undefined): AsyncGenerator<Uint8Array> {
  for await (const chunk of chunks) {
    onBytes?.(chunk.length);
    yield chunk;
  }
}
