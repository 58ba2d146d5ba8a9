/** Parses sizes such as "128M", "2G", "512KiB", "65536B"; a bare number means MiB (as xl's memory=). */
export function parseSize(text: string): number {
  const m = /^\s*(\d+)\s*([kKmMgG]?)(i?[bB])?\s*$/.exec(text);
  if (m === null) throw new RangeError(`cannot parse size '${text}' (use e.g. 128M, 2G, 512K)`);
  const n = Number(m[1]);
  const unit = m[2]!.toUpperCase();
  if (unit === '' && m[3] !== undefined) return n; // "4096B"
  const scale = unit === 'K' ? 1024 : unit === 'G' ? 1024 ** 3 : 1024 ** 2;
  return n * scale;
}

export function formatSize(bytes: number): string {
  if (bytes % 1024 ** 3 === 0) return `${bytes / 1024 ** 3} GiB`;
  if (bytes % 1024 ** 2 === 0) return `${bytes / 1024 ** 2} MiB`;
  if (bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} B`;
}
