// Duration of a WAV (RIFF/WAVE) upload from its header, for billing speech-to-text per
// second when the upstream does not report the duration itself.

/** Milliseconds of audio, or null when the bytes are not a readable WAV file. */
export function wavDurationMs(bytes: Uint8Array): number | null {
  if (bytes.byteLength < 12) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (tag(view, 0) !== 'RIFF' || tag(view, 8) !== 'WAVE') return null;
  let byteRate = 0;
  for (let off = 12; off + 8 <= bytes.byteLength; ) {
    const id = tag(view, off);
    const size = view.getUint32(off + 4, true);
    if (id === 'fmt ' && off + 20 <= bytes.byteLength) byteRate = view.getUint32(off + 16, true);
    if (id === 'data') {
      if (!byteRate) return null;
      // Streamed WAVs write a placeholder size; count what was actually uploaded.
      const present = Math.min(size, bytes.byteLength - off - 8);
      return (present * 1000) / byteRate;
    }
    off += 8 + size + (size % 2);
  }
  return null;
}

function tag(view: DataView, off: number): string {
  return String.fromCharCode(view.getUint8(off), view.getUint8(off + 1), view.getUint8(off + 2), view.getUint8(off + 3));
}
